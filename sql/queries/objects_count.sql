-- How many risk objects objects_page.sql would match without paging.
-- $1 category text, $2..$5 bbox as in objects_page.sql. The filter marker
-- (the comment filter, then TRUE, below) is replaced by the compiled filter (geo/postgis/filter.go),
-- whose parameters follow from $6.
SELECT count(*)
FROM risk_object o
WHERE o.category = $1::text::risk_category
  AND o.retired_at IS NULL
  AND ($2::float8 IS NULL OR o.geom_3857 && ST_Transform(ST_MakeEnvelope($2, $3, $4, $5, 4490), 3857))
  AND /*filter*/ TRUE;
