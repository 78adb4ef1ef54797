-- Counts per Web-Mercator grid cell of $1 metres of the active objects of
-- categories $2 (NULL: all), within the lon/lat box $3..$6 (NULL: all).
SELECT floor(ST_X(geom_3857) / $1)::bigint || ':' || floor(ST_Y(geom_3857) / $1)::bigint AS cell,
       category::text, coalesce(grade::text, ''), count(*)
FROM risk_object
WHERE retired_at IS NULL
  AND ($2::text[] IS NULL OR category::text = ANY ($2::text[]))
  AND ($3::float8 IS NULL OR geom_3857 && ST_Transform(ST_MakeEnvelope($3, $4, $5, $6, 4490), 3857))
GROUP BY 1, 2, 3
ORDER BY 1;
