-- Sets a user's password. $1 name, $2 password hash. Returns the id.
UPDATE app_user SET password_hash = $2, updated_at = now()
WHERE username = $1
RETURNING id;
