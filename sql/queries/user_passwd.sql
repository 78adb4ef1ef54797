-- Sets a user's password (their own choice, or the command line's).
-- $1 name, $2 password hash. Returns the id.
UPDATE app_user SET password_hash = $2, must_change_password = false, updated_at = now()
WHERE username = $1
RETURNING id;
