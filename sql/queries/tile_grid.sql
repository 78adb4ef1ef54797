-- The regional grid as the MVT layer "regions_grid": Web-Mercator cells of
-- $4 metres holding active objects, coloured by the highest grade inside
-- (就高), with the count per grade. Counted from the spatial index for
-- the tile asked, so always current.
-- $1 z int, $2 x int, $3 y int, $4 cell size in metres, $5 the reader's
-- division prefix (NULL: everywhere)
WITH b AS (
    SELECT e AS env,
           -- whole cells: a cell across the tile's edge is counted in full
           ST_MakeEnvelope(floor(ST_XMin(e) / $4) * $4, floor(ST_YMin(e) / $4) * $4,
                           ceil(ST_XMax(e) / $4) * $4, ceil(ST_YMax(e) / $4) * $4, 3857) AS cellenv
    FROM ST_TileEnvelope($1, $2, $3) AS e
), cells AS (
    SELECT floor(ST_X(o.geom_3857) / $4)::bigint AS cx, floor(ST_Y(o.geom_3857) / $4)::bigint AS cy,
           max(o.grade) AS grade,
           count(*) FILTER (WHERE o.grade = 'red')    AS n_red,
           count(*) FILTER (WHERE o.grade = 'orange') AS n_orange,
           count(*) FILTER (WHERE o.grade = 'yellow') AS n_yellow,
           count(*) FILTER (WHERE o.grade = 'blue')   AS n_blue,
           count(*) FILTER (WHERE o.grade IS NULL)    AS n_unassessed
    FROM risk_object o, b
    WHERE o.geom_3857 && b.cellenv AND o.retired_at IS NULL
      AND ($5::text IS NULL OR starts_with(o.division_code, $5::text))
    GROUP BY 1, 2
)
SELECT ST_AsMVT(t, 'regions_grid', 4096, 'geom', 'id')
FROM (
    SELECT (c.cx * 100000000 + c.cy)                   AS id,
           c.cx || ':' || c.cy                         AS code,
           $4::int                                     AS cell_m,
           coalesce(c.grade::text, 'unassessed')       AS grade,
           c.n_red, c.n_orange, c.n_yellow, c.n_blue, c.n_unassessed,
           ST_AsMVTGeom(ST_MakeEnvelope(c.cx * $4, c.cy * $4, (c.cx + 1) * $4, (c.cy + 1) * $4, 3857), b.env, 4096, 0, true) AS geom
    FROM cells c, b
    WHERE ST_MakeEnvelope(c.cx * $4, c.cy * $4, (c.cx + 1) * $4, (c.cy + 1) * $4, 3857) && b.env
) t;
