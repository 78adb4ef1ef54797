-- Stores a shipped rule version unless the database has it.
-- $1 key, $2 version, $3 definition jsonb, $4 who
INSERT INTO grading_rule (key, version, definition, loaded_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING;
