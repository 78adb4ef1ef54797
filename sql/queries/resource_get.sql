-- Rescue resource $1's name (no row: no such rescue resource, or retired).
-- $1 resource
SELECT o.name FROM risk_object o
WHERE o.id = $1 AND o.category = 'rescue_resources' AND o.retired_at IS NULL;
