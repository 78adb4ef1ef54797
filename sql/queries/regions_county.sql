-- The county counts of the regional map, with the counties' names; the
-- categories $1 (NULL: all).
SELECT d.code, d.name, d.area_m2 / 1e6, coalesce(d.population, 0),
       coalesce(rc.category::text, ''), coalesce(rc.grade, ''), coalesce(rc.n, 0)
FROM admin_division d
LEFT JOIN region_count rc ON rc.level = 'county' AND rc.code = d.code
     AND ($1::text[] IS NULL OR rc.category::text = ANY ($1::text[]))
WHERE d.level = 'county'
ORDER BY d.code;
