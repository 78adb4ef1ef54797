-- One import of the history with its options and problems. $1 id, $2 the
-- reader's division prefix (NULL: any).
SELECT id, at, actor, category, source, files, counts, coalesce(division_code, ''), problems_total, options, problems
FROM import_run
WHERE id = $1 AND ($2::text IS NULL OR starts_with(division_code, $2::text));
