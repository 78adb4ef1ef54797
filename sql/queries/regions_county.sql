-- The county counts of the regional map, with the counties' names; the
-- categories $1 (NULL: all), in the reader's division prefix $2 (NULL:
-- everywhere).
SELECT d.code, d.name, d.area_m2 / 1e6, coalesce(d.population, 0),
       coalesce(rc.category::text, ''), coalesce(rc.grade, ''), coalesce(rc.n, 0)
FROM admin_division d
LEFT JOIN region_count rc ON rc.level = 'county' AND rc.code = d.code
     AND ($1::text[] IS NULL OR rc.category::text = ANY ($1::text[]))
WHERE d.level = 'county'
  AND ($2::text IS NULL OR starts_with(d.code, $2::text))
ORDER BY d.code;
