-- Saves a new version of zone $1 (locked by zone_lock): its fields and
-- geometry, by $11; the trigger keeps the version.
-- $1 id, $2 name, $3 hazard type, $4 kind, $5 grade, $6 description, $7
-- season from, $8 season to, $9 valid from, $10 valid to, $11 by, $12
-- counties, $13 area m², $14 geometry (hex EWKB), $15 source, $16 action
-- (update, restore), $17 drawn by (NULL: unchanged)
UPDATE hazard_zone SET version = version + 1, name = $2, hazard_type = $3, zone_kind = $4,
    grade = $5::risk_grade, description = $6, season_from = $7, season_to = $8,
    valid_from = $9::date, valid_to = $10::date, updated_by = $11, counties = $12, area_m2 = $13,
    geom = $14::text::geometry, source = $15, last_action = $16, drawn_by = coalesce($17, drawn_by),
    updated_at = now(), deleted_at = NULL, deleted_by = NULL
WHERE id = $1;
