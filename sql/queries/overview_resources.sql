-- The rescue resources on the map (not retired) per status (their
-- attributes' status, '' when they have none), and how many of each have
-- a position fix recorded since $1.
-- $1 since timestamptz
SELECT coalesce(o.attributes->>'status', ''), count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM resource_position p
                                      WHERE p.resource_id = o.id AND p.recorded_at >= $1))
FROM risk_object o
WHERE o.category = 'rescue_resources' AND o.retired_at IS NULL
GROUP BY 1
ORDER BY 1;
