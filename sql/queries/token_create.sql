-- Creates an API token for an enabled user. $1 token name, $2 user id,
-- $3 role, $4 secret hash, $5 who, $6 expiry, $7 division (NULL: the
-- whole deployment).
INSERT INTO api_token (name, user_id, role, secret_hash, created_by, expires_at, division_code)
VALUES ($1, $2, $3::text::riskmap_role, $4, $5, $6, $7)
RETURNING id;
