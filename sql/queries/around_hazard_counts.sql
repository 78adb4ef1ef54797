-- The hidden hazards not closed in an area (as around_hazards), counted:
-- all, and the major ones.
-- $1 lon, $2 lat, $3 radius m, $4 polygon, $5 box, $6 division prefix (NULL: all)
WITH p AS (
    SELECT ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography AS g
)
SELECT count(*), count(*) FILTER (WHERE h.level = 'major')
FROM hidden_hazard_status h, p
WHERE h.geom_3857 && ST_Transform($5::text::geometry, 3857)
  AND h.state NOT IN ('closed', 'invalid')
  AND ($6::text IS NULL OR starts_with(h.division_code, $6::text))
  AND CASE WHEN $3::float8 IS NULL THEN ST_Intersects(h.geom, $4::text::geometry)
           ELSE ST_DWithin(h.geom::geography, p.g, $3::float8, true) END;
