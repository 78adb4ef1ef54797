-- Zone $1 as it stands (deleted or not).
-- $1 id
SELECT id, version, name, hazard_type, zone_kind, grade::text, description,
       coalesce(season_from, ''), coalesce(season_to, ''), coalesce(valid_from::text, ''), coalesce(valid_to::text, ''),
       source, drawn_by, counties, area_m2, ST_AsBinary(geom), last_action, updated_by, updated_at, deleted_at IS NOT NULL
FROM hazard_zone WHERE id = $1;
