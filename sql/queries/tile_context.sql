-- The offline background map as the MVT layer "context".
-- $1 z int, $2 x int, $3 y int
-- Features: id = context_feature.id; properties kind, name.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS qenv
)
SELECT ST_AsMVT(t, 'context', 4096, 'geom', 'id')
FROM (
    SELECT c.id, c.kind, c.name,
           ST_AsMVTGeom(c.geom_3857, b.env, 4096, 64, true) AS geom
    FROM context_feature c, b
    WHERE c.geom_3857 && b.qenv
) t
WHERE t.geom IS NOT NULL;
