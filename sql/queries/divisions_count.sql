-- How many county divisions divisions_page.sql would match without paging.
-- $1..$4 bbox as in divisions_page.sql
SELECT count(*)
FROM admin_division d
WHERE d.level = 'county'
  AND ($1::float8 IS NULL OR ST_Intersects(d.geom, ST_MakeEnvelope($1, $2, $3, $4, 4490)));
