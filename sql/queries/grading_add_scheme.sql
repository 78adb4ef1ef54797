-- Stores a new version of a scheme when its definition differs from the
-- one in force; returns the version stored (none when unchanged).
-- $1 code, $2 definition jsonb without its version, $3 who, $4 why
WITH cur AS (
    SELECT version, definition - 'version' AS def FROM grading_scheme WHERE code = $1 ORDER BY version DESC LIMIT 1
)
INSERT INTO grading_scheme (code, version, definition, loaded_by, reason)
SELECT $1, v, jsonb_set($2::jsonb, '{version}', to_jsonb(v)), $3, $4
FROM (SELECT coalesce((SELECT version FROM cur), 0) + 1 AS v) n
WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.def = $2::jsonb - 'version')
RETURNING version;
