-- The API tokens of users in a division or below, newest first, with
-- their user's name and the token's division; secrets are never read.
-- $1 division code (NULL: all).
SELECT t.id, t.name, u.username, t.role::text, coalesce(t.division_code, ''), coalesce(d.name, ''),
       t.created_by, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
FROM api_token t
JOIN app_user u ON u.id = t.user_id
LEFT JOIN admin_division d ON d.code = t.division_code
WHERE $1::text IS NULL OR riskmap_within($1, u.division_code)
ORDER BY t.id DESC;
