-- The sources the map holds objects of, per category, with how many are
-- active, when one last changed, and whether a mapping template is kept.
-- $1 the reader's division prefix (NULL: every object).
SELECT s.category, s.source, s.objects, s.updated_at, t.source IS NOT NULL
FROM (SELECT o.category::text AS category, o.source, count(*) AS objects, max(o.updated_at) AS updated_at
      FROM risk_object o
      WHERE o.retired_at IS NULL AND ($1::text IS NULL OR starts_with(o.division_code, $1::text))
      GROUP BY o.category, o.source) s
LEFT JOIN import_template t ON t.category = s.category AND t.source = s.source
ORDER BY s.category, s.updated_at DESC, s.source;
