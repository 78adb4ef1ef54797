-- The staged rows of objects of source $1 that have open hidden hazards,
-- with what grading reads: the import graded them without the hazards.
SELECT r.file, r.row, r.category, coalesce(r.grade, ''), coalesce(r.method, ''), r.score, r.assessed_at,
       r.attributes, r.assessment, h.open_major, h.overdue, h.open
FROM import_rows r
JOIN risk_object o ON o.category = r.category::risk_category AND o.source = $1 AND o.source_id = r.source_id
JOIN (
    SELECT object_id,
           count(*) FILTER (WHERE level = 'major') AS open_major,
           count(*) FILTER (WHERE overdue)         AS overdue,
           count(*)                                AS open
    FROM hidden_hazard_status
    WHERE object_id IS NOT NULL AND state NOT IN ('closed', 'invalid')
    GROUP BY object_id
) h ON h.object_id = o.id;
