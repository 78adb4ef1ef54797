-- 0019: a password an admin resets is a one-time password: the user
-- logs in with it and must choose their own before doing anything else.
ALTER TABLE app_user ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
