-- The supervisions division $1 issued (NULL: every division's), the
-- lifted ones too with $2, the newest first, at most $3.
SELECT * FROM hazard_supervision_status
WHERE ($1::text IS NULL OR division_code = $1) AND ($2 OR lifted_at IS NULL)
ORDER BY issued_at DESC, id DESC
LIMIT $3;
