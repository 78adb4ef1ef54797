-- The hidden hazards not closed in an area (as around_objects: $1 lon,
-- $2 lat, $3 radius m or NULL for polygon $4, $5 box, $6 limit), the
-- major and overdue first; only those in division prefix $7 (NULL: all).
WITH p AS (
    SELECT ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography AS g
)
SELECT h.id, h.code, h.title, h.level::text, h.state::text, h.overdue, ST_X(h.geom), ST_Y(h.geom),
       ST_Distance(h.geom::geography, p.g, true) AS metres
FROM hidden_hazard_status h, p
WHERE h.geom_3857 && ST_Transform($5::text::geometry, 3857)
  AND h.state NOT IN ('closed', 'invalid')
  AND ($7::text IS NULL OR starts_with(h.division_code, $7::text))
  AND CASE WHEN $3::float8 IS NULL THEN ST_Intersects(h.geom, $4::text::geometry)
           ELSE ST_DWithin(h.geom::geography, p.g, $3::float8, true) END
ORDER BY h.level DESC, h.overdue DESC, metres, h.id
LIMIT $6;
