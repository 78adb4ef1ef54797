-- Revokes a token. $1 id. Returns its name.
UPDATE api_token SET revoked_at = coalesce(revoked_at, now())
WHERE id = $1
RETURNING name;
