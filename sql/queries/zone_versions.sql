-- Every version of zone $1, the newest first, without geometries.
-- $1 id
SELECT version, action, name, grade::text, area_m2, deleted, saved_by, saved_at
FROM hazard_zone_version WHERE zone_id = $1 ORDER BY version DESC;
