-- What a login checks, and the user's division ('' for the whole
-- deployment) with its name. $1 name.
SELECT u.id, u.role::text, u.password_hash, u.disabled_at IS NOT NULL,
       coalesce(u.division_code, ''), coalesce(d.name, ''), u.must_change_password
FROM app_user u
LEFT JOIN admin_division d ON d.code = u.division_code
WHERE u.username = $1;
