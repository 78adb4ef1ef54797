-- The active risk objects in an area counted by category and grade, with
-- the shelters' total capacity (the area as around_objects: within $3
-- metres of lon $1, lat $2, or with $3 NULL inside polygon $4; $5 its box).
-- Counted in full, however long the list around_objects cuts.
-- Only those in division prefix $6 (NULL: all).
-- $1 lon, $2 lat, $3 radius m, $4 polygon, $5 box, $6 division prefix
WITH p AS (
    SELECT ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography AS g
)
SELECT o.category::text, coalesce(o.grade::text, 'unassessed'), count(*),
       coalesce(sum(CASE WHEN jsonb_typeof(o.attributes->'capacity_persons') = 'number'
                         THEN (o.attributes->>'capacity_persons')::float8 END), 0)
FROM risk_object o, p
WHERE o.geom_3857 && ST_Transform($5::text::geometry, 3857)
  AND o.retired_at IS NULL
  AND ($6::text IS NULL OR starts_with(o.division_code, $6::text))
  AND CASE WHEN $3::float8 IS NULL THEN ST_Intersects(o.geom, $4::text::geometry)
           ELSE ST_DWithin(o.geom::geography, p.g, $3::float8, true) END
GROUP BY 1, 2;
