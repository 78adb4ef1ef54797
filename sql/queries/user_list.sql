-- Every user, by name.
SELECT id, username, display_name, role::text, disabled_at IS NOT NULL
FROM app_user
ORDER BY username;
