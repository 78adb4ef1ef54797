-- Gives a user a one-time password (an admin's reset): enabled again if
-- disabled, and bound to choose a password of their own at the next
-- login. $1 name, $2 password hash. Returns the id.
UPDATE app_user
SET password_hash = $2, disabled_at = NULL, must_change_password = true, updated_at = now()
WHERE username = $1
RETURNING id;
