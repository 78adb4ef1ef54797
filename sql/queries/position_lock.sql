-- Locks active rescue resource $1 for a position fix (no row: no such
-- resource). Fixes of one resource then run one after another, and each
-- next statement sees the fixes committed before it.
-- $1 resource
SELECT o.id FROM risk_object o
WHERE o.id = $1 AND o.category = 'rescue_resources' AND o.retired_at IS NULL
FOR UPDATE;
