-- The objects of category $3 (rescue_resources or shelters) nearest
-- lon $1, lat $2: a KNN scan of the partial geography index (distance on
-- the sphere), then the exact distance on the CGCS2000 (GRS 80) spheroid of each
-- object it found. The caller checks that the spheroid order is complete
-- (see postgis.Nearest) and asks again with a larger $4 when it is not.
-- $1 lon, $2 lat, $3 category, $4 how many to scan; the filter marker
-- takes the compiled filter on row o, its parameters from $5.
WITH p AS (
    SELECT ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography AS g
), k AS (
    SELECT o.id, o.geom::geography <-> p.g AS sphere_m
    FROM risk_object o, p
    WHERE o.category IN ('rescue_resources', 'shelters') AND o.retired_at IS NULL
      AND o.category = $3::text::risk_category
      AND /*filter*/ TRUE
    ORDER BY o.geom::geography <-> p.g
    LIMIT $4
)
SELECT o.id, o.name, ST_X(o.geom), ST_Y(o.geom), coalesce(o.county_code, ''), coalesce(o.grade::text, 'unassessed'),
       ST_Distance(o.geom::geography, p.g, true) AS metres, k.sphere_m, o.attributes
FROM k JOIN risk_object o ON o.id = k.id, p
ORDER BY metres, o.id;
