-- Rescue resource $1's name (no row: no such rescue resource, or retired).
-- $1 resource, $2 the reader's division prefix (NULL: everywhere)
SELECT o.name FROM risk_object o
WHERE o.id = $1 AND o.category = 'rescue_resources' AND o.retired_at IS NULL
  AND ($2::text IS NULL OR starts_with(o.division_code, $2::text));
