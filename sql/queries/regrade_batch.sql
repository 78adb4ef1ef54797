-- A batch of active objects to grade again, after id $2, with what
-- grading reads: attributes, the current assessment, and the counts of
-- their open hidden hazards for the rules.
-- $1 category text (NULL: all), $2 after id, $3 limit, $4 ids bigint[] (NULL: all)
SELECT o.id, o.category::text, coalesce(o.grade::text, ''), coalesce(o.method, ''), o.assessed_at, o.score,
       o.attributes, a.result,
       coalesce(h.open_major, 0), coalesce(h.overdue, 0), coalesce(h.open, 0)
FROM risk_object o
LEFT JOIN risk_assessment a ON a.id = o.assessment_id
LEFT JOIN (
    SELECT object_id,
           count(*) FILTER (WHERE level = 'major') AS open_major,
           count(*) FILTER (WHERE overdue)         AS overdue,
           count(*)                                AS open
    FROM hidden_hazard_status
    WHERE object_id IS NOT NULL AND state NOT IN ('closed', 'invalid')
    GROUP BY object_id
) h ON h.object_id = o.id
WHERE ($1::text IS NULL OR o.category = $1::text::risk_category)
  AND ($4::bigint[] IS NULL OR o.id = ANY ($4::bigint[]))
  AND o.id > $2
  AND o.retired_at IS NULL
ORDER BY o.id
LIMIT $3;
