-- Adds a user. $1 name, $2 display name, $3 role, $4 password hash, $5
-- division code (NULL: the whole deployment).
INSERT INTO app_user (username, display_name, role, password_hash, division_code)
VALUES ($1, $2, $3::text::riskmap_role, $4, $5)
RETURNING id;
