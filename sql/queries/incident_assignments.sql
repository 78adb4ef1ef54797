-- The assignments of incident $1, in order of assignment.
SELECT a.id, a.incident_id, a.resource_id, o.name, coalesce(o.attributes->>'team_type', ''), a.straight_m, a.eta_s,
       a.eta_method, a.assigned_by, a.assigned_at, coalesce(a.released_by, ''), a.released_at
FROM dispatch_assignment a
JOIN risk_object o ON o.id = a.resource_id
WHERE a.incident_id = $1
ORDER BY a.assigned_at, a.id;
