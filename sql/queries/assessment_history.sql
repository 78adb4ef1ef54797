-- The assessments of an object, its own and those it shares, newest
-- first. $1 category text ('' any), $2 object id, $3 limit
SELECT a.id, o.id, coalesce(a.scheme, ''), coalesce(a.version, 0), a.result,
       coalesce(a.from_grade::text, ''), coalesce(a.grade::text, ''), a.reason, a.assessed_by, a.assessed_at
FROM risk_object o
JOIN risk_assessment a ON a.object_id = $2 OR a.objects @> $2::bigint
WHERE o.id = $2 AND ($1::text = '' OR o.category = $1::text::risk_category)
ORDER BY a.id DESC
LIMIT $3;
