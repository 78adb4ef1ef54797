-- The import history, newest first. $1 category ('' any), $2 source ('' any),
-- $3 below id (0: from the newest), $4 limit, $5 the readers' division
-- prefix (NULL: every import; else the imports run from there and below).
SELECT id, at, actor, category, source, files, counts, coalesce(division_code, ''), problems_total
FROM import_run
WHERE ($1 = '' OR category = $1)
  AND ($2 = '' OR source = $2)
  AND ($3 = 0 OR id < $3)
  AND ($5::text IS NULL OR starts_with(division_code, $5::text))
ORDER BY id DESC
LIMIT $4;
