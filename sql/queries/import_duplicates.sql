-- Source ids that more than one staged row claims, with where they occur.
-- $1 limit int
SELECT category, source_id, array_agg(file ORDER BY file, row), array_agg(row ORDER BY file, row)
FROM import_rows
GROUP BY category, source_id
HAVING count(*) > 1
ORDER BY min(file), min(row)
LIMIT $1;
