-- A page of risk objects of one category, optionally within a bbox and
-- matching a filter, by id.
-- $1 category text, $2 min lon, $3 min lat, $4 max lon, $5 max lat (all
-- four NULL for no bbox), $6 limit int, $7 offset int. The filter marker
-- (the comment filter, then TRUE, below) is replaced by the compiled filter, a condition on the
-- risk_object row o (geo/postgis/filter.go), whose parameters follow from $8.
WITH page AS (
    SELECT o.id
    FROM risk_object o
    WHERE o.category = $1::text::risk_category
      AND o.retired_at IS NULL
      AND ($2::float8 IS NULL OR o.geom_3857 && ST_Transform(ST_MakeEnvelope($2, $3, $4, $5, 4490), 3857))
      AND /*filter*/ TRUE
    ORDER BY o.id
    LIMIT $6 OFFSET $7
)
SELECT c.id, c.category::text, c.name, c.lon, c.lat, c.county_code, c.county_name, c.grade, c.score, c.method,
       c.assessed_at, c.source, c.source_id, c.attributes, c.created_at, c.updated_at, c.retired_at, c.assessment,
       c.division_code, c.division_name
FROM page
JOIN risk_object_card c ON c.id = page.id
ORDER BY c.id;
