-- 0014: 上报 (国务院令493号): an incident reported in a county is received
-- by the county and by every level above it, each within its time (the
-- county within 1 h of the report, each level above 2 h more, by
-- default: the store passes the deployment's limits). A receipt names
-- who received it and when (接报); one not received in time is overdue.
-- Receipts are made with the incident, by whoever reports it (they are
-- the levels above, outside the reporter's division: no guard on
-- insert); receiving one is for its division (the guard on update).
CREATE TABLE incident_receipt (
    incident_id   bigint      NOT NULL REFERENCES incident (id),
    division_code varchar(12) NOT NULL,
    due_at        timestamptz NOT NULL,
    received_by   text,
    received_at   timestamptz,
    PRIMARY KEY (incident_id, division_code),
    CHECK ((received_by IS NULL) = (received_at IS NULL))
);
CREATE INDEX incident_receipt_waiting_idx ON incident_receipt (division_code, due_at) WHERE received_at IS NULL;

CREATE TRIGGER incident_receipt_scope_upd AFTER UPDATE ON incident_receipt
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('receipt');
