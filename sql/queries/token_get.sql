-- A live token of an enabled user. $1 token id.
SELECT t.user_id, t.name, t.role::text, t.secret_hash
FROM api_token t
JOIN app_user u ON u.id = t.user_id
WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL;
