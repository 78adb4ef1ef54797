-- 0007: change notifications say where, and what happened to whom.
--
-- Channel riskmap_layers carries JSON: {"layers": [...], "bbox":
-- [minLon, minLat, maxLon, maxLat] or null (null: anywhere, e.g. a bulk
-- import)}. Channel riskmap_objects carries object-level events:
-- {"kind": "grade_changed", "objects": [{"id", "category", "name", "from", "to",
-- "lon", "lat"}…], "more": n} and {"kind": "hazard_overdue", "hazards":
-- [{"id", "code", "title", "level", "overdue", "supervision_overdue",
-- "lon", "lat"}…], "more": n}; at most 20 entries each, names cut at 24 characters (a NOTIFY payload
-- is at most 8,000 bytes), "more" counting the rest. Notifications are
-- sent when the transaction commits, so listeners never see a change
-- that did not happen.

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

-- (No nested loops: see object_cell_sync.)
CREATE OR REPLACE FUNCTION risk_object_bump() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    cats    text[];
    area    geometry;
    changed json;
    n       integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT category::text), ST_Extent(geom)::geometry INTO cats, area FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT category::text), ST_Extent(geom)::geometry INTO cats, area FROM old_rows;
    ELSE
        -- Only the rows that changed what a map shows: a regrade that
        -- leaves a grade as it was moves nothing.
        SELECT array_agg(DISTINCT c), ST_Extent(g)::geometry INTO cats, area
        FROM (SELECT o.category::text AS c, o.geom AS g FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE (o.category, o.name, o.county_code, o.grade, o.retired_at) IS DISTINCT FROM (w.category, w.name, w.county_code, w.grade, w.retired_at)
                 OR NOT ST_OrderingEquals(o.geom, w.geom)
              UNION ALL
              SELECT w.category::text, w.geom FROM old_rows o JOIN new_rows w ON w.id = o.id
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
        PERFORM bump_layer_versions(cats || ARRAY['counties', 'regions_county', 'regions_grid'], area);
    END IF;
    RETURN NULL;
END $$;

-- Every table it serves has a geom column (lon/lat, EPSG:4490).
CREATE OR REPLACE FUNCTION layer_table_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched boolean;
    area    geometry;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) > 0, ST_Extent(geom)::geometry INTO touched, area FROM old_rows;
    ELSE
        SELECT count(*) > 0, ST_Extent(geom)::geometry INTO touched, area FROM new_rows;
    END IF;
    IF touched THEN
        PERFORM bump_layer_versions(ARRAY[TG_ARGV[0]], area);
    END IF;
    RETURN NULL;
END $$;

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
    FROM (SELECT json_build_object('id', s.id, 'code', s.code, 'title', left(s.title, 24), 'level', s.level,
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
