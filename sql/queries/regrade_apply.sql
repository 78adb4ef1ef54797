-- Writes the staged regrade: an assessment per object, and the object's
-- grade. $1 reason, $2 who. Returns how many objects changed.
WITH moved AS (
    UPDATE risk_object o
    SET grade = nullif(r.grade, '')::risk_grade, score = r.score, method = nullif(r.method, ''),
        assessed_at = r.assessed_at, assessment = r.result, updated_at = now()
    FROM regrade_rows r
    WHERE o.id = r.id
    RETURNING o.id
), logged AS (
    INSERT INTO risk_assessment (object_id, scheme, version, result, from_grade, grade, reason, assessed_by)
    SELECT r.id, r.result->>'scheme', (r.result->>'version')::int, r.result,
           nullif(r.from_grade, '')::risk_grade, nullif(r.grade, '')::risk_grade, $1, $2
    FROM regrade_rows r
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM logged);
