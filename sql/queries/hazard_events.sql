-- The steps of a hidden hazard, oldest first.
-- $1 hazard id
SELECT action, coalesce(from_state::text, ''), to_state::text, actor, at, note, details
FROM hidden_hazard_event WHERE hazard_id = $1 ORDER BY id;
