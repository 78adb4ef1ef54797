-- Appends a step to a hidden hazard's history.
-- $1 hazard id, $2 action, $3 from state, $4 to state, $5 actor, $6 note, $7 details jsonb
INSERT INTO hidden_hazard_event (hazard_id, action, from_state, to_state, actor, note, details)
VALUES ($1, $2, $3::hh_state, $4::hh_state, $5, $6, $7);
