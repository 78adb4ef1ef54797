-- A source's mapping template. $1 category, $2 source.
SELECT category, source, mapping, coalesce(division_code, ''), updated_by, updated_at
FROM import_template
WHERE category = $1 AND source = $2;
