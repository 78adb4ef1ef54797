-- The active risk objects in an area: within $3 metres (spheroid) of
-- lon $1, lat $2, or, with $3 NULL, inside polygon $4 (4490). Each with its
-- distance from the point (for a polygon, from $1, $2 too: the caller
-- passes its centroid). The bounding box $5 (4490) is the area's, for the
-- spatial index. At most $6 rows, the most severe and nearest first.
-- Only those in division prefix $7 (NULL: all), for a reader of one
-- division.
-- $1 lon, $2 lat, $3 radius m, $4 polygon, $5 box, $6 limit, $7 division prefix
WITH p AS (
    SELECT ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography AS g
)
SELECT o.id, o.category::text, o.name, coalesce(o.grade::text, 'unassessed'), ST_X(o.geom), ST_Y(o.geom),
       ST_Distance(o.geom::geography, p.g, true) AS metres,
       CASE WHEN jsonb_typeof(o.attributes->'capacity_persons') = 'number' THEN (o.attributes->>'capacity_persons')::float8 END,
       coalesce(o.attributes->>'status', '')
FROM risk_object o, p
WHERE o.geom_3857 && ST_Transform($5::text::geometry, 3857)
  AND o.retired_at IS NULL
  AND ($7::text IS NULL OR starts_with(o.division_code, $7::text))
  AND CASE WHEN $3::float8 IS NULL THEN ST_Intersects(o.geom, $4::text::geometry)
           ELSE ST_DWithin(o.geom::geography, p.g, $3::float8, true) END
ORDER BY o.grade DESC NULLS LAST, metres, o.id
LIMIT $6;
