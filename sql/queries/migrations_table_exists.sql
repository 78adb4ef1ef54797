-- Whether schema_migrations exists yet (a database never migrated has none).
SELECT to_regclass('schema_migrations') IS NOT NULL;
