-- The objects of category $3 (rescue_resources or shelters) nearest
-- lon $1, lat $2 that pass the filter: a KNN scan of the partial
-- geography index takes the window of the $4 nearest on the sphere, with
-- no filter (so that the planner always takes the index: a filter on the
-- attributes, whose selectivity it cannot know, would make it sort the
-- whole table instead); the filter then keeps its objects, at most $5 of
-- them, ordered by the exact distance on the CGCS2000 (GRS 80) spheroid.
-- Each with its prep_time_min attribute when it is a number. With them
-- come the window's size and reach (its farthest distance on
-- the sphere): the caller checks that the answer is complete (see
-- postgis.Store.Nearest) and asks again with a wider window when it
-- cannot tell. One row with NULL object columns when none passes.
-- The point is written out in the ORDER BY (not joined from a CTE) so
-- that the planner can use the index for the ordering.
-- The store runs it on connections with plan_cache_mode
-- force_generic_plan: its generic plan is as good as any (the KNN index
-- scan), but PostgreSQL would otherwise plan it anew on every call (its
-- guess for a LIMIT parameter is a tenth of the table, which makes every
-- custom plan look cheaper), and planning costs more than running it.
-- $1 lon, $2 lat, $3 category, $4 window, $5 limit; the filter marker
-- takes the compiled filter on row o, its parameters from $6.
WITH w AS (
    SELECT o.*, o.geom::geography <-> ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography AS sphere_m
    FROM risk_object o
    WHERE o.category IN ('rescue_resources', 'shelters') AND o.retired_at IS NULL
      AND o.category = $3::text::risk_category
    ORDER BY o.geom::geography <-> ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography
    LIMIT $4
)
SELECT m.n, m.reach, f.id, f.name, f.lon, f.lat, f.county, f.grade, f.metres, f.prep, f.attributes
FROM (SELECT count(*) AS n, coalesce(max(sphere_m), 0) AS reach FROM w) m
LEFT JOIN LATERAL (
    SELECT o.id, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, coalesce(o.county_code, '') AS county,
           coalesce(o.grade::text, 'unassessed') AS grade,
           ST_Distance(o.geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, true) AS metres,
           CASE WHEN jsonb_typeof(o.attributes->'prep_time_min') = 'number' THEN (o.attributes->>'prep_time_min')::float8 END AS prep,
           o.attributes
    FROM w o  -- the window's rows carry every column the filter may name
    WHERE /*filter*/ TRUE
    ORDER BY metres, o.id
    LIMIT $5
) f ON true
ORDER BY f.metres, f.id;
