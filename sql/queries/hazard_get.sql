-- One hidden hazard with its derived flags and its object's name and
-- category (for the card's link). $1 id
SELECT id, code, object_id, title, description, level::text, discovery_source, found_on::text,
       ST_X(geom), ST_Y(geom), coalesce(county_code, ''), state::text,
       coalesce(responsible_unit, ''), coalesce(responsible_person, ''), coalesce(rectify_deadline::text, ''),
       coalesce(supervision_level, ''), coalesce(assigned_on::text, ''), coalesce(supervision_days, 0),
       coalesce(supervision_deadline::text, ''), plan, evidence, coalesce(closed_on::text, ''), overdue, supervision_overdue,
       coalesce(division_code, ''),
       coalesce((SELECT o.name FROM risk_object o WHERE o.id = object_id), ''),
       coalesce((SELECT o.category::text FROM risk_object o WHERE o.id = object_id), '')
FROM hidden_hazard_status
WHERE id = $1;
