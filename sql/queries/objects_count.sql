-- How many risk objects objects_page.sql would match without paging.
-- $1 category text, $2..$5 bbox as in objects_page.sql
SELECT count(*)
FROM risk_object o
WHERE o.category = $1::text::risk_category
  AND ($2::float8 IS NULL OR o.geom && ST_MakeEnvelope($2, $3, $4, $5, 4490));
