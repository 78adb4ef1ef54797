-- Source ids that more than one copied row of category $1 from source $2
-- claims, among the candidate ids $3 (NULL: all of them). The copy has no
-- row numbers: the import stages again to report where they are.
-- $1 category text, $2 source text, $3 candidate source ids text[], $4 limit int
SELECT source_id, count(*)
FROM risk_object
WHERE category = $1::risk_category AND source = $2
  AND ($3::text[] IS NULL OR source_id = ANY ($3::text[]))
GROUP BY source_id
HAVING count(*) > 1
LIMIT $4;
