-- One risk-object category as one MVT layer named after it.
-- $1 z int, $2 x int, $3 y int, $4 category text
-- Returns one bytea (empty when the tile has no feature of the category).
-- Features: id = risk_object.id; properties name, category, grade, county.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS qenv
)
SELECT ST_AsMVT(t, $4::text, 4096, 'geom', 'id')
FROM (
    SELECT o.id,
           o.name,
           o.category::text                   AS category,
           coalesce(o.grade::text, 'unassessed') AS grade,
           coalesce(o.county_code, '')        AS county,
           ST_AsMVTGeom(o.geom_3857, b.env, 4096, 64, true) AS geom
    FROM risk_object o, b
    WHERE o.category = $4::text::risk_category
      AND o.geom_3857 && b.qenv
      AND o.retired_at IS NULL
    ORDER BY o.grade NULLS FIRST, o.id
) t;
