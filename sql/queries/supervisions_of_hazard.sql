-- A hidden hazard's supervisions, the first issued first.
-- $1 hazard
SELECT * FROM hazard_supervision_status WHERE hazard_id = $1 ORDER BY issued_at, id;
