-- 0006: the low-zoom aggregate. Below the cluster zoom (z12 by default)
-- point layers are served as cells: each tile is cut into 32 × 32 cells,
-- so a cell at zoom z is a tile of zoom z + 5 ("level"). object_cell
-- keeps, for every level from 5 to 16 (tiles z0 to z11), the number of
-- active objects per category, county and grade in each cell, with the
-- sums of their Web-Mercator coordinates (the mean places the cell's
-- feature). It is kept by statement triggers from the rows each statement
-- changed, like region_count; a bulk import, which pauses the triggers,
-- rebuilds the categories it touched. A z8 tile then reads at most
-- 1,024 cells per category instead of tens of thousands of points.

CREATE TABLE object_cell (
    level    smallint      NOT NULL,  -- 5..16: the zoom whose tiles are the cells
    category risk_category NOT NULL,
    cx       integer       NOT NULL,  -- tile column and row at that zoom (XYZ, row 0 at the top)
    cy       integer       NOT NULL,
    county   text          NOT NULL,  -- '' = outside every county
    grade    smallint      NOT NULL,  -- 0 unassessed, 1 blue, 2 yellow, 3 orange, 4 red
    n        integer       NOT NULL,
    sx       float8        NOT NULL,  -- sums of the objects' EPSG:3857 x and y
    sy       float8        NOT NULL,
    PRIMARY KEY (level, category, cx, cy, county, grade)
);
-- Emptied cells are deleted by the statement that emptied them; this
-- index finds them without scanning the table.
CREATE INDEX object_cell_empty_idx ON object_cell (level) WHERE n = 0;

-- The numeric grade of object_cell: 0 for NULL (not assessed).
CREATE FUNCTION object_cell_grade(g risk_grade) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE g WHEN 'blue' THEN 1 WHEN 'yellow' THEN 2 WHEN 'orange' THEN 3 WHEN 'red' THEN 4 ELSE 0 END::smallint
$$;

-- Adds objects (n = +1) or takes them away (n = -1) at every level. The
-- arrays describe one object each and are the same length; x and y are
-- EPSG:3857 metres.
CREATE FUNCTION object_cell_add(cats risk_category[], counties text[], grades smallint[], xs float8[], ys float8[], ns integer[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO object_cell AS c (level, category, cx, cy, county, grade, n, sx, sy)
    SELECT l.level, u.cat,
           floor((u.x + 20037508.342789244) / (40075016.68557849 / (1 << l.level)))::int,
           floor((20037508.342789244 - u.y) / (40075016.68557849 / (1 << l.level)))::int,
           u.county, u.grade, sum(u.n), sum(u.x * u.n), sum(u.y * u.n)
    FROM unnest(cats, counties, grades, xs, ys, ns) AS u(cat, county, grade, x, y, n)
    CROSS JOIN generate_series(5, 16) AS l(level)
    GROUP BY 1, 2, 3, 4, 5, 6
    -- an object that moved inside a cell changes its sums, not its count
    HAVING sum(u.n) <> 0 OR sum(u.x * u.n) <> 0 OR sum(u.y * u.n) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6  -- rows locked in one order by every writer: no deadlocks
    ON CONFLICT (level, category, cx, cy, county, grade)
    DO UPDATE SET n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy;
    DELETE FROM object_cell WHERE n = 0;
$$;

-- Transition tables exist only for their event, hence one branch each.
-- An update counts only the objects whose cell, county, grade or state
-- changed: a regrade that leaves a grade as it was costs nothing here.
-- The transition tables have no statistics: without a nested loop, their
-- join is a hash join however many rows a statement changed.
CREATE FUNCTION object_cell_sync() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM object_cell_add(array_agg(category), array_agg(coalesce(county_code::text, '')),
                                array_agg(object_cell_grade(grade)), array_agg(ST_X(geom_3857)), array_agg(ST_Y(geom_3857)), array_agg(1))
        FROM new_rows WHERE retired_at IS NULL;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM object_cell_add(array_agg(category), array_agg(coalesce(county_code::text, '')),
                                array_agg(object_cell_grade(grade)), array_agg(ST_X(geom_3857)), array_agg(ST_Y(geom_3857)), array_agg(-1))
        FROM old_rows WHERE retired_at IS NULL;
    ELSE
        PERFORM object_cell_add(array_agg(cat), array_agg(county), array_agg(g), array_agg(x), array_agg(y), array_agg(n))
        FROM (SELECT o.category AS cat, coalesce(o.county_code::text, '') AS county, object_cell_grade(o.grade) AS g,
                     ST_X(o.geom_3857) AS x, ST_Y(o.geom_3857) AS y, -1 AS n
              FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE o.retired_at IS NULL
                AND (w.retired_at IS NOT NULL OR (o.category, o.county_code, o.grade) IS DISTINCT FROM (w.category, w.county_code, w.grade)
                     OR NOT ST_OrderingEquals(o.geom_3857, w.geom_3857))
              UNION ALL
              SELECT w.category, coalesce(w.county_code::text, ''), object_cell_grade(w.grade),
                     ST_X(w.geom_3857), ST_Y(w.geom_3857), 1
              FROM new_rows w JOIN old_rows o ON o.id = w.id
              WHERE w.retired_at IS NULL
                AND (o.retired_at IS NOT NULL OR (o.category, o.county_code, o.grade) IS DISTINCT FROM (w.category, w.county_code, w.grade)
                     OR NOT ST_OrderingEquals(o.geom_3857, w.geom_3857))) x;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER object_cell_ins AFTER INSERT ON risk_object
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION object_cell_sync();
CREATE TRIGGER object_cell_upd AFTER UPDATE ON risk_object
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION object_cell_sync();
CREATE TRIGGER object_cell_del AFTER DELETE ON risk_object
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION object_cell_sync();

-- Rebuilds the cells of the given categories (NULL: all) from the
-- objects: the finest level from the points, each coarser one from the
-- level below it (a cell's four children), so the points are read once.
CREATE FUNCTION object_cell_rebuild(cats risk_category[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM object_cell WHERE cats IS NULL OR category = ANY (cats);
    INSERT INTO object_cell (level, category, cx, cy, county, grade, n, sx, sy)
    SELECT 16, category,
           floor((ST_X(geom_3857) + 20037508.342789244) / (40075016.68557849 / 65536))::int,
           floor((20037508.342789244 - ST_Y(geom_3857)) / (40075016.68557849 / 65536))::int,
           coalesce(county_code::text, ''), object_cell_grade(grade), count(*), sum(ST_X(geom_3857)), sum(ST_Y(geom_3857))
    FROM risk_object
    WHERE retired_at IS NULL AND (cats IS NULL OR category = ANY (cats))
    GROUP BY 1, 2, 3, 4, 5, 6;
    FOR l IN REVERSE 15..5 LOOP
        INSERT INTO object_cell (level, category, cx, cy, county, grade, n, sx, sy)
        SELECT l, category, cx >> 1, cy >> 1, county, grade, sum(n), sum(sx), sum(sy)
        FROM object_cell
        WHERE level = l + 1 AND (cats IS NULL OR category = ANY (cats))
        GROUP BY 1, 2, 3, 4, 5, 6;
    END LOOP;
END $$;
SELECT object_cell_rebuild(NULL);
ANALYZE object_cell;
