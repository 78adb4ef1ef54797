-- The active shelters outside zone $1 but within $2 metres of it
-- (spheroid), the nearest first, at most $3, with their capacity.
-- $1 zone id, $2 metres, $3 limit
WITH z AS (
    SELECT geom, geom::geography AS gg FROM hazard_zone WHERE id = $1
)
SELECT o.id, o.name, coalesce(o.grade::text, 'unassessed'), ST_X(o.geom), ST_Y(o.geom),
       ST_Distance(o.geom::geography, z.gg, true) AS metres,
       CASE WHEN jsonb_typeof(o.attributes->'capacity_persons') = 'number' THEN (o.attributes->>'capacity_persons')::float8 END,
       coalesce(o.attributes->>'status', '')
FROM risk_object o, z
WHERE o.category = 'shelters' AND o.retired_at IS NULL
  -- the box widened by at least $2 metres, east-west at the zone's
  -- highest latitude too
  AND o.geom && ST_Expand(z.geom, $2::float8 / (111000.0 * cos(radians(least(80, greatest(abs(ST_YMin(z.geom)), abs(ST_YMax(z.geom))))))))
  AND NOT ST_Intersects(o.geom, z.geom)
  AND ST_DWithin(o.geom::geography, z.gg, $2::float8, true)
ORDER BY metres, o.id
LIMIT $3;
