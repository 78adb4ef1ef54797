-- Ends a session (and, on the way, every expired one). $1 secret hash.
DELETE FROM app_session WHERE secret_hash = $1 OR expires_at < now();
