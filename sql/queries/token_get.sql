-- A live token of an enabled user, with the division it acts in. $1
-- token id.
SELECT t.user_id, t.name, t.role::text, t.secret_hash, coalesce(t.division_code, ''), coalesce(d.name, '')
FROM api_token t
JOIN app_user u ON u.id = t.user_id
LEFT JOIN admin_division d ON d.code = t.division_code
WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL;
