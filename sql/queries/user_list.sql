-- Every user, by name, with their division ('' for the whole deployment).
-- $1 division code: only users in it or below (NULL: all).
SELECT u.id, u.username, u.display_name, u.role::text, u.disabled_at IS NOT NULL,
       coalesce(u.division_code, ''), coalesce(d.name, '')
FROM app_user u
LEFT JOIN admin_division d ON d.code = u.division_code
WHERE $1::text IS NULL OR riskmap_within($1, u.division_code)
ORDER BY u.username;
