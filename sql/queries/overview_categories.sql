-- City-wide counts for the map wall: the risk objects on the map (not
-- retired) per category and grade ('unassessed' for none).
SELECT o.category::text, coalesce(o.grade::text, 'unassessed'), count(*)
FROM risk_object o
WHERE o.retired_at IS NULL
GROUP BY 1, 2
ORDER BY 1, 2;
