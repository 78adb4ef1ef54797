-- City-wide counts for the map wall: the risk objects on the map (not
-- retired) per category and grade ('unassessed' for none). $1 the
-- reader's division prefix (NULL: everywhere).
SELECT o.category::text, coalesce(o.grade::text, 'unassessed'), count(*)
FROM risk_object o
WHERE o.retired_at IS NULL
  AND ($1::text IS NULL OR starts_with(o.division_code, $1::text))
GROUP BY 1, 2
ORDER BY 1, 2;
