-- A page of risk objects of one category, optionally within a bbox, by id.
-- $1 category text, $2 min lon, $3 min lat, $4 max lon, $5 max lat (all
-- four NULL for no bbox), $6 limit int, $7 offset int
SELECT o.id, o.category::text, o.name, ST_X(o.geom), ST_Y(o.geom),
       coalesce(o.county_code, ''), coalesce(d.name, ''),
       coalesce(o.grade::text, 'unassessed'), o.score, coalesce(o.method, ''), o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code
WHERE o.category = $1::text::risk_category
  AND ($2::float8 IS NULL OR o.geom && ST_MakeEnvelope($2, $3, $4, $5, 4490))
ORDER BY o.id
LIMIT $6 OFFSET $7;
