-- The user of a live session of an enabled user. $1 secret hash.
SELECT u.id, u.username, u.role::text, s.csrf
FROM app_session s
JOIN app_user u ON u.id = s.user_id
WHERE s.secret_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL;
