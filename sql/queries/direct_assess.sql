-- Records the assessments of a first load copied straight into
-- risk_object: every object of category $1 from source $2 is new.
-- $3 who. (The caller drops the index on object_id around it.)
INSERT INTO risk_assessment (object_id, scheme, version, result, grade, reason, assessed_by)
SELECT o.id, o.assessment->>'scheme', (o.assessment->>'version')::int, o.assessment, o.grade, 'import', $3
FROM risk_object o
WHERE o.category = $1::text::risk_category AND o.source = $2 AND o.assessment IS NOT NULL;
