-- Puts a hidden hazard under a division's supervision (督办), issued on
-- the local date $6; the steps' deadlines count from now. The guard of
-- migration 0015 refuses it outside the actor's division, or for a
-- hazard not below the supervising division.
-- $1 hazard, $2 supervising division, $3 mode, $4 requirements,
-- $5 issued by, $6 issued on, $7 window days, $8 ack days, $9 feedback days
INSERT INTO hazard_supervision (hazard_id, division_code, mode, requirements, issued_by, issued_on, window_days, ack_due, feedback_due)
VALUES ($1, $2, $3, $4, $5, $6::date, $7, now() + make_interval(days => $8), now() + make_interval(days => $9))
RETURNING id;
