-- Disables a user: no more logins, and their sessions and tokens stop
-- working. $1 name. Returns the id.
UPDATE app_user SET disabled_at = coalesce(disabled_at, now()), updated_at = now()
WHERE username = $1
RETURNING id;
