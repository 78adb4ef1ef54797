-- Source ids that more than one staged row claims, with where they occur,
-- among the candidate ids $2 (NULL: all of them).
-- $1 limit int, $2 candidate source ids text[]
SELECT category, source_id, array_agg(file ORDER BY file, row), array_agg(row ORDER BY file, row)
FROM import_rows
WHERE $2::text[] IS NULL OR source_id = ANY ($2::text[])
GROUP BY category, source_id
HAVING count(*) > 1
ORDER BY min(file), min(row)
LIMIT $1;
