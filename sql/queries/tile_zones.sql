-- Hazard zones that are not deleted as the MVT layer "zones".
-- $1 z int, $2 x int, $3 y int, $4 the reader's division prefix (NULL:
-- everywhere)
-- Features: id = hazard_zone.id; properties name, hazard_type, zone_kind,
-- grade, version, season_from, season_to, source.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS qenv
)
SELECT ST_AsMVT(t, 'zones', 4096, 'geom', 'id')
FROM (
    SELECT z.id, z.name, z.hazard_type, z.zone_kind, z.grade::text AS grade, z.version,
           coalesce(z.season_from, '') AS season_from, coalesce(z.season_to, '') AS season_to, z.source,
           ST_AsMVTGeom(z.geom_3857, b.env, 4096, 64, true) AS geom
    FROM hazard_zone z, b
    WHERE z.geom_3857 && b.qenv AND z.deleted_at IS NULL
      AND ($4::text IS NULL OR starts_with(z.division_code, $4::text))
    ORDER BY z.grade, z.id
) t
WHERE geom IS NOT NULL;
