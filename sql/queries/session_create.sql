-- Starts a session. $1 secret hash, $2 user id, $3 CSRF token, $4 the
-- client's address, $5 expiry.
INSERT INTO app_session (secret_hash, user_id, csrf, remote, expires_at)
VALUES ($1, $2, $3, $4, $5);
