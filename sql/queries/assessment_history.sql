-- The assessments of an object, newest first.
-- $1 category text ('' any), $2 object id, $3 limit
SELECT a.id, a.object_id, coalesce(a.scheme, ''), coalesce(a.version, 0), a.result,
       coalesce(a.from_grade::text, ''), coalesce(a.grade::text, ''), a.reason, a.assessed_by, a.assessed_at
FROM risk_assessment a
JOIN risk_object o ON o.id = a.object_id AND ($1::text = '' OR o.category = $1::text::risk_category)
WHERE a.object_id = $2
ORDER BY a.id DESC
LIMIT $3;
