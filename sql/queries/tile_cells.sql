-- One risk-object category at low zoom, aggregated: the tile's 32 × 32
-- cells (tiles of zoom z + 5), one feature per cell that holds objects,
-- as one MVT layer named after the category. The counts come from
-- object_cell (zooms 0 to 11, filtered by county and grade at most), or,
-- with $7 true, from the objects themselves: for deeper cluster zooms
-- and for filters object_cell cannot answer.
-- $1 z int, $2 x int, $3 y int, $4 category text,
-- $5 counties text[] (NULL: all), $6 grades smallint[] (0 unassessed ..
-- 4 red; NULL: all), $7 count from the objects boolean, $8 the reader's
-- division prefix, a county's or above (NULL: everywhere; deeper ones
-- count from the objects); the store puts a compiled geo.Filter
-- (postgis.FilterSQL, parameters from $9) at the filter marker of the
-- objects' WHERE clause.
-- Features: a point at the mean place of the cell's objects of its
-- highest grade; id = 2^52 + level·2^44 + cx·2^22 + cy (never an object's
-- id, the same for the same cell in every tile and version); properties
-- cluster (true), count, grade (the highest inside: 就高), n_red,
-- n_orange, n_yellow, n_blue, n_unassessed.
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env,
           40075016.68557849 / (1::float8 * (1::bigint << ($1 + 5))) AS size
), g AS (
    SELECT c.cx, c.cy, c.grade, sum(c.n) AS n, sum(c.sx) AS sx, sum(c.sy) AS sy
    FROM object_cell c
    WHERE NOT $7::boolean
      AND c.level = $1 + 5
      AND c.category = $4::text::risk_category
      AND c.cx BETWEEN $2 * 32 AND $2 * 32 + 31
      AND c.cy BETWEEN $3 * 32 AND $3 * 32 + 31
      AND ($5::text[] IS NULL OR c.county = ANY ($5::text[]))
      AND ($6::smallint[] IS NULL OR c.grade = ANY ($6::smallint[]))
      AND ($8::text IS NULL OR starts_with(c.county, $8::text))
    GROUP BY c.cx, c.cy, c.grade
    UNION ALL
    SELECT p.cx, p.cy, p.grade, count(*), sum(p.x), sum(p.y)
    FROM (SELECT floor((ST_X(o.geom_3857) + 20037508.342789244) / b.size)::int AS cx,
                 floor((20037508.342789244 - ST_Y(o.geom_3857)) / b.size)::int AS cy,
                 object_cell_grade(o.grade) AS grade, ST_X(o.geom_3857) AS x, ST_Y(o.geom_3857) AS y
          FROM risk_object o, b
          WHERE $7::boolean
            AND o.category = $4::text::risk_category
            AND o.geom_3857 && b.env
            AND o.retired_at IS NULL
            AND /*filter*/ TRUE) p
    -- a point on the tile's right or bottom edge is the next tile's
    WHERE p.cx BETWEEN $2 * 32 AND $2 * 32 + 31 AND p.cy BETWEEN $3 * 32 AND $3 * 32 + 31
    GROUP BY p.cx, p.cy, p.grade
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
