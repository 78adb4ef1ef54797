-- Writes the staged regrade: an assessment record per object, and the
-- object's grade, pointing at its new record. $1 reason, $2 who. Returns
-- how many objects changed and how many records were written.
WITH logged AS (
    INSERT INTO risk_assessment (object_id, scheme, version, result, from_grade, grade, reason, assessed_by)
    SELECT r.id, r.result->>'scheme', (r.result->>'version')::int, r.result,
           nullif(r.from_grade, '')::risk_grade, nullif(r.grade, '')::risk_grade, $1, $2
    FROM regrade_rows r
    RETURNING id, object_id
), moved AS (
    UPDATE risk_object o
    SET grade = nullif(r.grade, '')::risk_grade, score = r.score, method = nullif(r.method, ''),
        assessed_at = r.assessed_at, assessment_id = l.id, updated_at = now()
    FROM regrade_rows r
    JOIN logged l ON l.object_id = r.id
    WHERE o.id = r.id
    RETURNING o.id
)
SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM logged);
