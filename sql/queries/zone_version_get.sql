-- Version $2 of zone $1, as it was saved.
-- $1 id, $2 version
SELECT zone_id, version, name, hazard_type, zone_kind, grade::text, description,
       coalesce(season_from, ''), coalesce(season_to, ''), coalesce(valid_from::text, ''), coalesce(valid_to::text, ''),
       source, drawn_by, counties, area_m2, ST_AsBinary(geom), action, saved_by, saved_at, deleted
FROM hazard_zone_version WHERE zone_id = $1 AND version = $2;
