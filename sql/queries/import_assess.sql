-- Records an assessment for each object of category $1 from source $2
-- that this import changed and whose assessment differs from its last
-- recorded one (also when it lost its grade). $3 who.
-- The last records are gathered once, before any row is written: looked up
-- per object, a plan could rescan risk_assessment as it grows.
WITH changed AS MATERIALIZED (
    SELECT o.id, o.assessment, o.grade
    FROM risk_object o
    WHERE o.category = $1::text::risk_category AND o.source = $2 AND o.updated_at = now()
), prev AS MATERIALIZED (
    SELECT DISTINCT ON (a.object_id) a.object_id, a.result, a.grade
    FROM risk_assessment a JOIN changed c ON c.id = a.object_id
    ORDER BY a.object_id, a.id DESC
)
INSERT INTO risk_assessment (object_id, scheme, version, result, from_grade, grade, reason, assessed_by)
SELECT c.id, c.assessment->>'scheme', (c.assessment->>'version')::int, coalesce(c.assessment, '{}'),
       p.grade, c.grade, 'import', $3
FROM changed c
LEFT JOIN prev p ON p.object_id = c.id
WHERE (c.assessment IS NOT NULL OR p.grade IS NOT NULL)
  AND p.result IS DISTINCT FROM coalesce(c.assessment, '{}');
