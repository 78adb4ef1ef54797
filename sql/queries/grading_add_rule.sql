-- Stores a new version of a rule when its definition differs from the
-- one in force; returns the version stored (none when unchanged).
-- $1 key, $2 definition jsonb, $3 who, $4 why
WITH cur AS (
    SELECT version, definition FROM grading_rule WHERE key = $1 ORDER BY version DESC LIMIT 1
)
INSERT INTO grading_rule (key, version, definition, loaded_by, reason)
SELECT $1, coalesce((SELECT version FROM cur), 0) + 1, $2::jsonb - 'version', $3, $4
WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.definition = $2::jsonb - 'version')
RETURNING version;
