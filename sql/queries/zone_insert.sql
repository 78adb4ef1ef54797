-- Stores a new zone (version 1); the trigger keeps the version.
-- $1 name, $2 hazard type, $3 kind, $4 grade, $5 description, $6 season
-- from, $7 season to (NULL), $8 valid from, $9 valid to (NULL), $10
-- source, $11 drawn by, $12 counties, $13 area m², $14 geometry (hex
-- EWKB), $15 action (create, import)
INSERT INTO hazard_zone (name, hazard_type, zone_kind, grade, description, season_from, season_to,
    valid_from, valid_to, source, drawn_by, counties, area_m2, geom, last_action, updated_by)
VALUES ($1, $2, $3, $4::risk_grade, $5, $6, $7, $8::date, $9::date, $10, $11, $12, $13, $14::text::geometry, $15, $11)
RETURNING id;
