-- Records one applied migration.
-- $1 version int, $2 file name
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);
