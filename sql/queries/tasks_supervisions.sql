-- The supervisions waiting for a step of division $2 (prefix $1; both
-- NULL: every division's): to acknowledge, feed back on or rectify for a
-- hazard there supervised from above it, or to lift for one it issued
-- whose hazard is closed. The overdue and the earliest due first, at
-- most $3, with how many there are and how many are overdue.
WITH waiting AS (
    SELECT s.*,
           CASE s.step WHEN 'acknowledge' THEN s.ack_due
                       WHEN 'feedback' THEN s.feedback_due
                       ELSE s.deadline_on::date::timestamptz END AS due
    FROM hazard_supervision_status s
    WHERE s.step <> 'lifted'
      AND ($1::text IS NULL
           OR (s.step <> 'lift' AND starts_with(s.hazard_division, $1::text) AND NOT starts_with(s.division_code, $1::text))
           OR (s.step = 'lift' AND s.division_code = $2::text))
)
SELECT w.id, w.hazard_id, w.hazard_code, w.hazard_title, w.hazard_level, w.hazard_state, w.hazard_division,
       w.division_code, w.division_name, w.mode, w.requirements, w.issued_by, w.issued_at, w.issued_on, w.window_days, w.deadline_on,
       w.ack_due, w.acked_by, w.acked_at, w.ack_note, w.feedback_due, w.fed_back_by, w.fed_back_at, w.feedback_note, w.feedbacks,
       w.lifted_by, w.lifted_at, w.lift_note, w.step, w.ack_late, w.feedback_late, w.deadline_late, w.overdue,
       count(*) OVER (), count(*) FILTER (WHERE w.overdue) OVER ()
FROM waiting w
ORDER BY w.overdue DESC, w.due, w.id
LIMIT $3;
