-- One risk-object category at low zoom, aggregated: the tile's 32 × 32
-- cells (tiles of zoom z + 5) from object_cell, one feature per cell that
-- holds objects, as one MVT layer named after the category.
-- $1 z int (0..11), $2 x int, $3 y int, $4 category text,
-- $5 counties text[] (NULL: all), $6 grades smallint[] (0 unassessed ..
-- 4 red; NULL: all)
-- Features: a point at the mean place of the cell's objects of its
-- highest grade; id = 2^52 + level·2^44 + cx·2^22 + cy (never an object's
-- id, the same for the same cell in every tile and version); properties
-- cluster (true), count, grade (the highest inside: 就高), n_red,
-- n_orange, n_yellow, n_blue, n_unassessed.
WITH g AS (
    SELECT c.cx, c.cy, c.grade, sum(c.n) AS n, sum(c.sx) AS sx, sum(c.sy) AS sy
    FROM object_cell c
    WHERE c.level = $1 + 5
      AND c.category = $4::text::risk_category
      AND c.cx BETWEEN $2 * 32 AND $2 * 32 + 31
      AND c.cy BETWEEN $3 * 32 AND $3 * 32 + 31
      AND ($5::text[] IS NULL OR c.county = ANY ($5::text[]))
      AND ($6::smallint[] IS NULL OR c.grade = ANY ($6::smallint[]))
    GROUP BY c.cx, c.cy, c.grade
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
           ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.x, c.y), 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM cells c
    ORDER BY c.grade, id
) t;
