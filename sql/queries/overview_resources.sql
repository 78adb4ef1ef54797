-- The rescue resources on the map (not retired) per status (their
-- attributes' status, '' when they have none), and how many of each have
-- a position fix recorded since $1; $2 the reader's division prefix
-- (NULL: everywhere).
-- $1 since timestamptz
SELECT coalesce(o.attributes->>'status', ''), count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM resource_position p
                                      WHERE p.resource_id = o.id AND p.recorded_at >= $1))
FROM risk_object o
WHERE o.category = 'rescue_resources' AND o.retired_at IS NULL
  AND ($2::text IS NULL OR starts_with(o.division_code, $2::text))
GROUP BY 1
ORDER BY 1;
