-- One risk-object category as one MVT layer named after it, one feature
-- per object (the zooms from the cluster zoom on).
-- $1 z int, $2 x int, $3 y int, $4 category text, $5 cap int (NULL: none);
-- the store puts a compiled geo.Filter (postgis.FilterSQL, parameters
-- from $6) at the filter marker of the WHERE clause.
-- Returns the layer (empty bytea when the tile has no feature of the
-- category) and whether the cap left objects out. A capped layer keeps
-- the most severe objects first (red, orange, yellow, blue, unassessed,
-- then by id), so a red object is the last to go.
-- Features: id = risk_object.id; properties name, category, grade, county.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS qenv
), p AS (
    SELECT o.id, o.name, o.category, o.grade, o.county_code, o.geom_3857
    FROM risk_object o, b
    WHERE o.category = $4::text::risk_category
      AND o.geom_3857 && b.qenv
      AND o.retired_at IS NULL
      AND /*filter*/ TRUE
    ORDER BY o.grade DESC NULLS LAST, o.id
    LIMIT $5::int + 1
), k AS (
    SELECT * FROM p ORDER BY grade DESC NULLS LAST, id LIMIT $5::int
)
SELECT (SELECT ST_AsMVT(t, $4::text, 4096, 'geom', 'id')
        FROM (
            SELECT k.id,
                   k.name,
                   k.category::text                   AS category,
                   coalesce(k.grade::text, 'unassessed') AS grade,
                   coalesce(k.county_code, '')        AS county,
                   ST_AsMVTGeom(k.geom_3857, b.env, 4096, 64, true) AS geom
            FROM k, b
            ORDER BY k.grade NULLS FIRST, k.id
        ) t),
       $5::int IS NOT NULL AND (SELECT count(*) FROM p) > $5::int;
