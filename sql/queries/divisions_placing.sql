-- Every division with its boundary, the deepest first (townships, then
-- counties, a local unit before the county it was carved from): the order
-- in which a point finds the division it lies in.
SELECT d.code, d.name, d.level, coalesce(d.parent_code, ''), d.local, ST_AsBinary(d.geom)
FROM admin_division d
ORDER BY length(riskmap_division_prefix(d.code)) DESC, d.local DESC, d.code;
