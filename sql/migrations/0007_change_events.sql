-- 0007: change notifications say where, and what happened to whom.
--
-- Channel riskmap_layers carries JSON: {"layers": [...], "bbox":
-- [minLon, minLat, maxLon, maxLat] or null (null: anywhere, e.g. a bulk
-- import)}. Channel riskmap_objects carries object-level events:
-- {"kind": "grade_changed", "objects": [{"id", "category", "name", "from", "to",
-- "lon", "lat"}…], "more": n} and {"kind": "hazard_overdue", "hazards":
-- [{"id", "code", "title", "level", "overdue", "supervision_overdue",
-- "lon", "lat"}…], "more": n}; at most 20 entries each, names and
-- titles cut at 24 characters and codes at 32, "more" counting the rest
-- (a NOTIFY payload is at most 8,000 bytes, and a longer one would fail
-- the writer's transaction). Notifications are sent when the transaction
-- commits, so listeners never see a change that did not happen.

CREATE OR REPLACE FUNCTION bump_layer_versions(layers text[], area geometry) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE layer_version SET version = nextval('data_version_seq'), changed_at = now()
    WHERE layer = ANY (layers);
    PERFORM pg_notify('riskmap_layers', json_build_object(
        'layers', layers,
        'bbox', CASE WHEN area IS NULL OR ST_IsEmpty(area) THEN NULL
                     ELSE json_build_array(ST_XMin(area), ST_YMin(area), ST_XMax(area), ST_YMax(area)) END)::text);
END $$;

CREATE OR REPLACE FUNCTION bump_layer_versions(layers text[]) RETURNS void
LANGUAGE sql AS $$ SELECT bump_layer_versions(layers, NULL::geometry) $$;

-- The area a change of objects redraws: the objects' places, and their
-- counties (whose colours and counts change with them), widened by 0.05°
-- for the regional grid's 5 km cells across the counties' edges.
CREATE FUNCTION objects_change_area(places geometry, counties text[]) RETURNS geometry
LANGUAGE sql STABLE AS $$
    SELECT ST_Expand(ST_Extent(g)::geometry, 0.05)
    FROM (SELECT places AS g
          UNION ALL
          SELECT d.geom FROM admin_division d WHERE d.code = ANY (counties)) x
$$;

-- (No nested loops: see object_cell_sync.)
CREATE OR REPLACE FUNCTION risk_object_bump() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    cats     text[];
    counties text[];
    area     geometry;
    changed  json;
    n        integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT category::text), array_agg(DISTINCT county_code::text), ST_Extent(geom)::geometry
        INTO cats, counties, area FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT category::text), array_agg(DISTINCT county_code::text), ST_Extent(geom)::geometry
        INTO cats, counties, area FROM old_rows;
    ELSE
        -- Only the rows that changed what a map shows: a regrade that
        -- leaves a grade as it was moves nothing.
        SELECT array_agg(DISTINCT c), array_agg(DISTINCT k), ST_Extent(g)::geometry INTO cats, counties, area
        FROM (SELECT o.category::text AS c, o.county_code::text AS k, o.geom AS g FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE (o.category, o.name, o.county_code, o.grade, o.retired_at) IS DISTINCT FROM (w.category, w.name, w.county_code, w.grade, w.retired_at)
                 OR NOT ST_OrderingEquals(o.geom, w.geom)
              UNION ALL
              SELECT w.category::text, w.county_code::text, w.geom FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE (o.category, o.name, o.county_code, o.grade, o.retired_at) IS DISTINCT FROM (w.category, w.name, w.county_code, w.grade, w.retired_at)
                 OR NOT ST_OrderingEquals(o.geom, w.geom)) s;
        SELECT json_agg(e), max(t.n) INTO changed, n
        FROM (SELECT json_build_object('id', w.id, 'category', w.category, 'name', left(w.name, 24),
                                       'from', coalesce(o.grade::text, 'unassessed'), 'to', coalesce(w.grade::text, 'unassessed'),
                                       'lon', round(ST_X(w.geom)::numeric, 6), 'lat', round(ST_Y(w.geom)::numeric, 6)) AS e,
                     count(*) OVER () AS n
              FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE o.grade IS DISTINCT FROM w.grade AND w.retired_at IS NULL
              ORDER BY w.grade DESC NULLS LAST, w.id
              LIMIT 20) t;
        IF changed IS NOT NULL THEN
            PERFORM pg_notify('riskmap_objects', json_build_object('kind', 'grade_changed', 'objects', changed,
                                                                   'more', n - json_array_length(changed))::text);
        END IF;
    END IF;
    IF cats IS NOT NULL THEN
        -- county features and regions carry per-grade counts, so they change too
        PERFORM bump_layer_versions(cats || ARRAY['counties', 'regions_county', 'regions_grid'], objects_change_area(area, counties));
    END IF;
    RETURN NULL;
END $$;

-- Every table it serves has a geom column (lon/lat, EPSG:4490). An
-- update's area holds the rows' old places and new ones, so that a map
-- looking where a feature was hears that it moved away.
CREATE OR REPLACE FUNCTION layer_table_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched boolean;
    area    geometry;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) > 0, ST_Extent(geom)::geometry INTO touched, area FROM old_rows;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT count(*) > 0, ST_Extent(geom)::geometry INTO touched, area FROM new_rows;
    ELSE
        SELECT count(*) > 0, ST_Extent(g)::geometry INTO touched, area
        FROM (SELECT geom AS g FROM new_rows UNION ALL SELECT geom FROM old_rows) r;
    END IF;
    IF touched THEN
        PERFORM bump_layer_versions(ARRAY[TG_ARGV[0]], area);
    END IF;
    RETURN NULL;
END $$;

-- The update triggers see the old rows too.
DROP TRIGGER admin_division_bump_upd ON admin_division;
CREATE TRIGGER admin_division_bump_upd AFTER UPDATE ON admin_division
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('counties');
DROP TRIGGER context_feature_bump_upd ON context_feature;
CREATE TRIGGER context_feature_bump_upd AFTER UPDATE ON context_feature
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('context');
DROP TRIGGER hidden_hazard_bump_upd ON hidden_hazard;
CREATE TRIGGER hidden_hazard_bump_upd AFTER UPDATE ON hidden_hazard
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('hidden_hazards');

-- A hazard becomes overdue with the date, not with a write: serve calls
-- hazard_announce_overdue() every hour (and at start), which marks the
-- hazards newly past a deadline (so that their tiles are drawn again with
-- the overdue ring) and announces them on riskmap_objects.
ALTER TABLE hidden_hazard ADD COLUMN overdue_announced text NOT NULL DEFAULT '';

CREATE FUNCTION hazard_announce_overdue() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    due  json;
    n    integer;
BEGIN
    WITH now_due AS (
        SELECT s.id,
               concat_ws(',', CASE WHEN s.overdue THEN 'rectify:' || s.rectify_deadline END,
                              CASE WHEN s.supervision_overdue THEN 'supervise:' || s.supervision_deadline END) AS mark
        FROM hidden_hazard_status s
        WHERE s.overdue OR s.supervision_overdue
    ), marked AS (
        UPDATE hidden_hazard h SET overdue_announced = d.mark
        FROM now_due d
        WHERE h.id = d.id AND h.overdue_announced <> d.mark
        RETURNING h.id
    )
    SELECT json_agg(e), max(t.n) INTO due, n
    FROM (SELECT json_build_object('id', s.id, 'code', left(s.code, 32), 'title', left(s.title, 24), 'level', s.level,
                                   'overdue', s.overdue, 'supervision_overdue', s.supervision_overdue,
                                   'lon', round(ST_X(s.geom)::numeric, 6), 'lat', round(ST_Y(s.geom)::numeric, 6)) AS e,
                 count(*) OVER () AS n
          FROM hidden_hazard_status s JOIN marked m ON m.id = s.id
          ORDER BY s.level DESC, s.id
          LIMIT 20) t;
    IF due IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM pg_notify('riskmap_objects', json_build_object('kind', 'hazard_overdue', 'hazards', due,
                                                           'more', n - json_array_length(due))::text);
    RETURN n;
END $$;
