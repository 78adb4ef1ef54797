-- How far the supervisions division $1 issued (NULL: every division's)
-- have come, by the division their hazards lie in; lifted ones too with
-- $2.
SELECT hazard_division, count(*), count(acked_at), count(fed_back_at), count(*) FILTER (WHERE hazard_state = 'closed'),
       count(lifted_at), count(*) FILTER (WHERE overdue)
FROM hazard_supervision_status
WHERE ($1::text IS NULL OR division_code = $1) AND ($2 OR lifted_at IS NULL)
GROUP BY hazard_division;
