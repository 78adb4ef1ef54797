-- Ends every session of a user. $1 user id.
DELETE FROM app_session WHERE user_id = $1;
