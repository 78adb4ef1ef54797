-- Records an assessment for each object of category $1 from source $2
-- that this import changed and whose staged result differs from its
-- current one (also when it lost its grade), and points the object at
-- its new record (at none when it lost its grade). $3 who.
WITH changed AS MATERIALIZED (
    SELECT o.id, o.grade, o.assessment_id, r.assessment
    FROM import_rows r
    JOIN risk_object o ON o.category = r.category::risk_category AND o.source = $2 AND o.source_id = r.source_id
    WHERE r.category = $1 AND o.updated_at = now()
), logged AS (
    INSERT INTO risk_assessment (object_id, scheme, version, result, from_grade, grade, reason, assessed_by)
    SELECT c.id, c.assessment->>'scheme', (c.assessment->>'version')::int, coalesce(c.assessment, '{}'),
           p.grade, c.grade, 'import', $3
    FROM changed c
    LEFT JOIN risk_assessment p ON p.id = c.assessment_id
    WHERE (c.assessment IS NOT NULL OR p.grade IS NOT NULL)
      AND p.result IS DISTINCT FROM coalesce(c.assessment, '{}')
    RETURNING id, object_id, result
)
UPDATE risk_object o
SET assessment_id = CASE WHEN l.result = '{}' THEN NULL ELSE l.id END
FROM logged l
WHERE o.id = l.object_id;
