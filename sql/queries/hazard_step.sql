-- Moves a hidden hazard to state $2 with what the step brings (NULL keeps
-- a field). $1 id, $3 unit, $4 person, $5 deadline, $6 supervision level,
-- $7 supervision days, $8 plan, $9 evidence (appended), $10 today
UPDATE hidden_hazard
SET state = $2::hh_state,
    responsible_unit = coalesce($3, responsible_unit),
    responsible_person = coalesce($4, responsible_person),
    rectify_deadline = coalesce($5::date, rectify_deadline),
    supervision_level = coalesce($6, supervision_level),
    supervision_days = coalesce($7, supervision_days),
    assigned_on = CASE WHEN $2 = 'assigned' THEN $10::date ELSE assigned_on END,
    plan = coalesce($8, plan),
    evidence = evidence || coalesce($9, '[]'::jsonb),
    closed_on = CASE WHEN $2 = 'closed' THEN $10::date ELSE closed_on END,
    updated_at = now()
WHERE id = $1;
