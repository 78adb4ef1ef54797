-- Records an assessment for each object of category $1 from source $2
-- that this import changed and whose assessment differs from its last
-- recorded one (also when it lost its grade). $3 who.
INSERT INTO risk_assessment (object_id, scheme, version, result, from_grade, grade, reason, assessed_by)
SELECT o.id, o.assessment->>'scheme', (o.assessment->>'version')::int, coalesce(o.assessment, '{}'),
       prev.grade, o.grade, 'import', $3
FROM risk_object o
LEFT JOIN LATERAL (SELECT a.result, a.grade FROM risk_assessment a
                   WHERE a.object_id = o.id ORDER BY a.id DESC LIMIT 1) prev ON true
WHERE o.category = $1::text::risk_category AND o.source = $2 AND o.updated_at = now()
  AND (o.assessment IS NOT NULL OR prev.grade IS NOT NULL)
  AND prev.result IS DISTINCT FROM coalesce(o.assessment, '{}');
