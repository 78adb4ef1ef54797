-- The user of a live session of an enabled user, with their division and
-- whether they must change a one-time password.
-- $1 secret hash.
SELECT u.id, u.username, u.role::text, s.csrf, coalesce(u.division_code, ''), coalesce(d.name, ''), u.must_change_password
FROM app_session s
JOIN app_user u ON u.id = s.user_id
LEFT JOIN admin_division d ON d.code = u.division_code
WHERE s.secret_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL;
