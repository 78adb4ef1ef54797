-- What a login checks. $1 name.
SELECT id, role::text, password_hash, disabled_at IS NOT NULL
FROM app_user
WHERE username = $1;
