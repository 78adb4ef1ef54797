-- Stores a shipped scheme version unless the database has it.
-- $1 code, $2 version, $3 definition jsonb, $4 who
INSERT INTO grading_scheme (code, version, definition, loaded_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING;
