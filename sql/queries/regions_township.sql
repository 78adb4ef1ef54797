-- Counts per township of the active objects inside its boundary, of
-- categories $1 (NULL: all), in the reader's division prefix $2 (NULL:
-- everywhere): townships exist once their polygons are
-- imported (--category counties, level township). Counted from the
-- spatial index when asked, so always current.
SELECT d.code, d.name, d.area_m2 / 1e6, coalesce(d.population, 0),
       coalesce(o.category::text, ''), coalesce(o.grade::text, ''), count(o.id)::int
FROM admin_division d
LEFT JOIN risk_object o ON ST_Intersects(d.geom_3857, o.geom_3857) AND o.retired_at IS NULL
     AND ($1::text[] IS NULL OR o.category::text = ANY ($1::text[]))
WHERE d.level = 'township'
  AND ($2::text IS NULL OR starts_with(d.code, $2::text))
GROUP BY d.code, d.name, d.geom, d.population, o.category, o.grade
ORDER BY d.code;
