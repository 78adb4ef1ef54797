-- Appends to the audit log. $1 actor, $2 role, $3 remote, $4 request
-- id, $5 action, $6 target, $7 outcome, $8 before, $9 after (jsonb),
-- $10 the actor's division (NULL: none).
INSERT INTO audit_log (actor, role, remote, request_id, action, target, outcome, before, after, division_code)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);
