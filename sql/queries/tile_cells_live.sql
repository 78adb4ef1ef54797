-- One risk-object category aggregated like tile_cells, but counted from
-- the objects themselves: for zooms object_cell does not keep (12 and
-- deeper, when the cluster zoom is set that high) and for filters it
-- cannot answer (a filter on attributes). The same cells, ids and
-- properties as tile_cells.
-- $1 z int, $2 x int, $3 y int, $4 category text, $5 counties text[]
-- (NULL: all), $6 grades smallint[] (NULL: all); the store puts a
-- compiled geo.Filter (postgis.FilterSQL, parameters from $7) at the
-- filter marker of the WHERE clause.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           40075016.68557849 / (1::float8 * (1::bigint << ($1 + 5))) AS size
), o AS (
    SELECT floor((ST_X(o.geom_3857) + 20037508.342789244) / b.size)::int AS cx,
           floor((20037508.342789244 - ST_Y(o.geom_3857)) / b.size)::int AS cy,
           object_cell_grade(o.grade) AS grade, ST_X(o.geom_3857) AS x, ST_Y(o.geom_3857) AS y
    FROM risk_object o, b
    WHERE o.category = $4::text::risk_category
      AND o.geom_3857 && b.env
      AND o.retired_at IS NULL
      AND ($5::text[] IS NULL OR coalesce(o.county_code::text, '') = ANY ($5::text[]))
      AND ($6::smallint[] IS NULL OR object_cell_grade(o.grade) = ANY ($6::smallint[]))
      AND /*filter*/ TRUE
), g AS (
    SELECT cx, cy, grade, count(*) AS n, sum(x) AS sx, sum(y) AS sy
    FROM o
    WHERE cx BETWEEN $2 * 32 AND $2 * 32 + 31 AND cy BETWEEN $3 * 32 AND $3 * 32 + 31
    GROUP BY cx, cy, grade
), cells AS (
    SELECT cx, cy, max(grade) AS grade, sum(n) AS n,
           coalesce(sum(n) FILTER (WHERE grade = 4), 0) AS n_red,
           coalesce(sum(n) FILTER (WHERE grade = 3), 0) AS n_orange,
           coalesce(sum(n) FILTER (WHERE grade = 2), 0) AS n_yellow,
           coalesce(sum(n) FILTER (WHERE grade = 1), 0) AS n_blue,
           coalesce(sum(n) FILTER (WHERE grade = 0), 0) AS n_unassessed,
           (array_agg(sx / nullif(n, 0) ORDER BY grade DESC))[1] AS x,
           (array_agg(sy / nullif(n, 0) ORDER BY grade DESC))[1] AS y
    FROM g
    GROUP BY cx, cy
)
SELECT ST_AsMVT(t, $4::text, 4096, 'geom', 'id')
FROM (
    SELECT 4503599627370496 + ($1 + 5)::bigint * 17592186044416 + c.cx::bigint * 4194304 + c.cy AS id,
           true AS cluster,
           c.n::int AS count,
           (ARRAY['unassessed', 'blue', 'yellow', 'orange', 'red'])[c.grade + 1] AS grade,
           c.n_red::int AS n_red, c.n_orange::int AS n_orange, c.n_yellow::int AS n_yellow,
           c.n_blue::int AS n_blue, c.n_unassessed::int AS n_unassessed,
           ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.x, c.y), 3857), b.env, 4096, 64, true) AS geom
    FROM cells c, b
    ORDER BY c.grade, id
) t;
