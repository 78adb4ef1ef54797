-- One hidden hazard with its derived flags; $2 locks it for a step.
-- $1 id
SELECT id, code, object_id, title, description, level::text, discovery_source, found_on::text,
       ST_X(geom), ST_Y(geom), coalesce(county_code, ''), state::text,
       coalesce(responsible_unit, ''), coalesce(responsible_person, ''), coalesce(rectify_deadline::text, ''),
       coalesce(supervision_level, ''), coalesce(assigned_on::text, ''), coalesce(supervision_days, 0),
       coalesce(supervision_deadline::text, ''), plan, evidence, coalesce(closed_on::text, ''), overdue, supervision_overdue,
       coalesce(division_code, '')
FROM hidden_hazard_status
WHERE id = $1;
