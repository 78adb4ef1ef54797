-- Gives released resources $1 back their statuses $2, unless something
-- else changed a status meanwhile (it is no longer dispatched).
-- $1 resource ids bigint[], $2 statuses text[]
UPDATE risk_object o
SET attributes = (o.attributes - 'incident_id') || jsonb_build_object('status', r.status),
    updated_at = now()
FROM unnest($1::bigint[], $2::text[]) AS r (id, status)
WHERE o.id = r.id AND o.attributes->>'status' = 'dispatched';
