-- Hidden hazards that are not closed as the MVT layer "hidden_hazards".
-- $1 z int, $2 x int, $3 y int, $4 the reader's division prefix (NULL:
-- everywhere)
-- Features: id = hidden_hazard.id; properties code, title, level, state,
-- overdue, supervision_overdue, object_id (0 = none).
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS qenv
)
SELECT ST_AsMVT(t, 'hidden_hazards', 4096, 'geom', 'id')
FROM (
    SELECT h.id, h.code, h.title, h.level::text AS level, h.state::text AS state,
           h.overdue, h.supervision_overdue, coalesce(h.object_id, 0) AS object_id,
           coalesce(h.rectify_deadline::text, '') AS rectify_deadline,
           ST_AsMVTGeom(h.geom_3857, b.env, 4096, 64, true) AS geom
    FROM hidden_hazard_status h, b
    WHERE h.geom_3857 && b.qenv AND h.state NOT IN ('closed', 'invalid')
      AND ($4::text IS NULL OR starts_with(h.division_code, $4::text))
    ORDER BY h.overdue, h.level, h.id
) t;
