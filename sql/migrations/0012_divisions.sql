-- 0012: the administrative chain (省–市–县–乡镇). Divisions of every
-- level form a tree by their codes (GB/T 2260, GB/T 10114: a division's
-- code begins with its parent's prefix); every object, hidden hazard,
-- incident, zone, user and token carries the division it belongs to; and
-- every write is checked here, against the division of whoever makes it.
--
-- The check is a statement trigger on each table, reading the actor's
-- division from the transaction setting riskmap.scope, which the store
-- sets from the request (geo/postgis scope.go):
--   unset or ''  the system itself (migrations, the command line, the
--                hourly overdue check): no check;
--   '*'          a user of the whole deployment;
--   a prefix     a division's (33, 3311, 331102, 331102001): every row
--                written, before and after the write, must have a
--                division_code that begins with it.
-- A refusal is SQLSTATE 42501 with a JSON detail naming the target's
-- division; the store turns it into a geo.ScopeError, the server into a
-- 403. Triggers, not row-level security: a superuser (the embedded
-- cluster's role) and a table's owner bypass RLS, and a USING policy
-- hides the rows a user may not touch, so that a refused edit would look
-- like "not found" instead of naming the division it lies in.

-- Local units (a development zone: a code under its city, see the README)
-- sit in the tree beside the official divisions.
ALTER TABLE admin_division ADD COLUMN local boolean NOT NULL DEFAULT false;
ALTER TABLE admin_division DROP CONSTRAINT admin_division_level_check;
ALTER TABLE admin_division ADD CONSTRAINT admin_division_level_check
    CHECK (level IN ('province', 'city', 'county', 'township', 'village'));
CREATE INDEX admin_division_parent_idx ON admin_division (parent_code);

-- What every code inside a division begins with.
CREATE FUNCTION riskmap_division_prefix(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(code) <> 6 THEN code
                WHEN right(code, 4) = '0000' THEN left(code, 2)
                WHEN right(code, 2) = '00' THEN left(code, 4)
                ELSE code END
$$;

-- The division a code's prefix puts it in ('' above a province).
CREATE FUNCTION riskmap_division_parent(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(code) = 12 THEN left(code, 9)
                WHEN length(code) = 9 THEN left(code, 6)
                WHEN right(code, 4) = '0000' THEN ''
                WHEN right(code, 2) = '00' THEN left(code, 2) || '0000'
                ELSE left(code, 4) || '00' END
$$;

-- Whether target lies in division scope or below; a NULL scope is the
-- whole deployment.
CREATE FUNCTION riskmap_within(scope text, target text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT scope IS NULL OR scope = '' OR (target IS NOT NULL AND starts_with(target, riskmap_division_prefix(scope)))
$$;

-- The deepest division that holds every code (NULL for none).
CREATE FUNCTION riskmap_common_division(codes text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    common text := codes[1];
    c      text;
BEGIN
    IF common IS NULL THEN
        RETURN NULL;
    END IF;
    FOREACH c IN ARRAY codes[2:] LOOP
        WHILE common <> '' AND NOT riskmap_within(common, c) LOOP
            common := riskmap_division_parent(common);
        END LOOP;
    END LOOP;
    RETURN nullif(common, '');
END $$;

-- The deepest loaded division at a point: a township over its county, a
-- local unit over the county it was carved from.
CREATE FUNCTION riskmap_division_at(g geometry) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT d.code FROM admin_division d
    WHERE ST_Intersects(d.geom, g)
    ORDER BY length(riskmap_division_prefix(d.code)) DESC, d.local DESC, d.code
    LIMIT 1
$$;

-- A zone's division: the deepest that holds the zone shrunk by 50 m (so
-- that a boundary drawn a little over a neighbour's line stays the
-- planner's own); for a zone that no loaded division holds (across two
-- cities with no province loaded), the deepest code above all it reaches.
CREATE FUNCTION riskmap_zone_division(g geometry) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH p AS (
        SELECT ST_SetSRID(ST_Buffer(g::geography, -50)::geometry, 4490) AS core
    ), q AS (
        SELECT CASE WHEN p.core IS NULL OR ST_IsEmpty(p.core) THEN ST_PointOnSurface(g) ELSE p.core END AS c FROM p
    )
    SELECT coalesce(
        (SELECT d.code FROM admin_division d, q WHERE ST_Covers(d.geom, q.c)
         ORDER BY length(riskmap_division_prefix(d.code)) DESC, d.local DESC, d.code LIMIT 1),
        (SELECT riskmap_common_division(array_agg(d.code ORDER BY d.code))
         FROM admin_division d, q WHERE ST_Intersects(d.geom, q.c) AND length(riskmap_division_prefix(d.code)) >= 6))
$$;

-- The actor's scope for this transaction: '*' (everything) when unset.
CREATE FUNCTION riskmap_scope() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('riskmap.scope', true), ''), '*')
$$;

CREATE FUNCTION riskmap_in_scope(code text, scope text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT scope = '*' OR (code IS NOT NULL AND starts_with(code, scope))
$$;

-- Refuses a write: SQLSTATE 42501 with the target's division in DETAIL.
CREATE FUNCTION riskmap_scope_refuse(target text, what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'riskmap: % outside the actor''s division', what
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = json_build_object('target', coalesce(target, ''), 'what', what,
                  'target_name', coalesce((SELECT name FROM admin_division WHERE code = target), ''))::text;
END $$;

-- The guard of a table with a division_code column; TG_ARGV[0] names
-- what its rows are, for the message.
CREATE FUNCTION riskmap_scope_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    scope text := riskmap_scope();
    bad   text;
    found_bad boolean;
BEGIN
    IF scope = '*' THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT true, o.division_code INTO found_bad, bad FROM old_rows o WHERE NOT riskmap_in_scope(o.division_code, scope) LIMIT 1;
        IF found_bad THEN
            PERFORM riskmap_scope_refuse(bad, TG_ARGV[0]);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT true, n.division_code INTO found_bad, bad FROM new_rows n WHERE NOT riskmap_in_scope(n.division_code, scope) LIMIT 1;
        IF found_bad THEN
            PERFORM riskmap_scope_refuse(bad, TG_ARGV[0]);
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- The divisions of what already is: no townships were loaded before, so
-- an object's county is its division. (Triggers paused: nothing any other
-- trigger keeps depends on the new column.)
ALTER TABLE risk_object ADD COLUMN division_code varchar(12);
ALTER TABLE risk_object DISABLE TRIGGER USER;
UPDATE risk_object SET division_code = county_code WHERE county_code IS NOT NULL;
ALTER TABLE risk_object ENABLE TRIGGER USER;
-- The card names the division too.
CREATE OR REPLACE VIEW risk_object_card AS
SELECT o.id, o.category, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.geom,
       coalesce(o.county_code, '') AS county_code, coalesce(d.name, '') AS county_name,
       coalesce(o.grade::text, 'unassessed') AS grade, o.score, coalesce(o.method, '') AS method, o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at, o.retired_at, o.geom_3857, a.result AS assessment,
       coalesce(o.division_code, '') AS division_code, coalesce(dv.name, '') AS division_name
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code
LEFT JOIN admin_division dv ON dv.code = o.division_code
LEFT JOIN risk_assessment a ON a.id = o.assessment_id;

ALTER TABLE hidden_hazard ADD COLUMN division_code varchar(12);
ALTER TABLE hidden_hazard DISABLE TRIGGER USER;
UPDATE hidden_hazard h
SET division_code = coalesce((SELECT o.division_code FROM risk_object o WHERE o.id = h.object_id), h.county_code);
ALTER TABLE hidden_hazard ENABLE TRIGGER USER;
-- The view of a hazard's flags lists the table's columns as they were
-- when it was made: made again, it has the division too.
DROP VIEW hidden_hazard_status;
CREATE VIEW hidden_hazard_status AS
SELECT h.*,
       (h.rectify_deadline IS NOT NULL AND (now() AT TIME ZONE 'Asia/Shanghai')::date > h.rectify_deadline
        AND h.state NOT IN ('accepted', 'closed', 'invalid')) AS overdue,
       (h.supervision_deadline IS NOT NULL AND (now() AT TIME ZONE 'Asia/Shanghai')::date > h.supervision_deadline
        AND h.state NOT IN ('closed', 'invalid')) AS supervision_overdue
FROM hidden_hazard h;

ALTER TABLE incident ADD COLUMN division_code varchar(12);
ALTER TABLE incident DISABLE TRIGGER USER;
UPDATE incident SET division_code = county_code;
ALTER TABLE incident ENABLE TRIGGER USER;

ALTER TABLE hazard_zone ADD COLUMN division_code varchar(12);
ALTER TABLE hazard_zone DISABLE TRIGGER USER;
UPDATE hazard_zone SET division_code = riskmap_common_division(counties);
ALTER TABLE hazard_zone ENABLE TRIGGER USER;

-- A user's division: what they may change (and, with --read-scope own,
-- read). NULL is the whole deployment. Users who were there before become
-- users of the top division, when exactly one is loaded; else of the
-- whole deployment. Either way they keep doing what they did.
ALTER TABLE app_user ADD COLUMN division_code varchar(12) REFERENCES admin_division (code);
UPDATE app_user SET division_code = (
    SELECT min(d.code) FROM admin_division d
    WHERE d.parent_code IS NULL OR NOT EXISTS (SELECT 1 FROM admin_division p WHERE p.code = d.parent_code)
    HAVING count(*) = 1);

-- A token acts in its user's division, or in a division below it.
ALTER TABLE api_token ADD COLUMN division_code varchar(12) REFERENCES admin_division (code);
UPDATE api_token t SET division_code = u.division_code FROM app_user u WHERE u.id = t.user_id;

-- New hazards and incidents lie where they are: a hazard at an object in
-- the object's division, else in the deepest division at its place.
CREATE FUNCTION riskmap_place_division() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.division_code IS NULL THEN
        IF TG_TABLE_NAME = 'hidden_hazard' THEN
            IF NEW.object_id IS NOT NULL THEN
                SELECT o.division_code INTO NEW.division_code FROM risk_object o WHERE o.id = NEW.object_id;
            END IF;
        END IF;
        NEW.division_code := coalesce(NEW.division_code, riskmap_division_at(NEW.geom), NEW.county_code);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER hidden_hazard_place BEFORE INSERT ON hidden_hazard
    FOR EACH ROW EXECUTE FUNCTION riskmap_place_division();
CREATE TRIGGER incident_place BEFORE INSERT ON incident
    FOR EACH ROW EXECUTE FUNCTION riskmap_place_division();

-- An object written without a division (a path that knows only the
-- county) is in its county.
CREATE FUNCTION risk_object_default_division() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.division_code := NEW.county_code;
    RETURN NEW;
END $$;
CREATE TRIGGER risk_object_default_division BEFORE INSERT ON risk_object
    FOR EACH ROW WHEN (NEW.division_code IS NULL AND NEW.county_code IS NOT NULL)
    EXECUTE FUNCTION risk_object_default_division();

-- A zone's division follows its boundary, on every write.
CREATE FUNCTION hazard_zone_place() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.division_code := riskmap_zone_division(NEW.geom);
    RETURN NEW;
END $$;
CREATE TRIGGER hazard_zone_place BEFORE INSERT OR UPDATE OF geom ON hazard_zone
    FOR EACH ROW EXECUTE FUNCTION hazard_zone_place();

-- The guards.
CREATE TRIGGER risk_object_scope_ins AFTER INSERT ON risk_object
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('object');
CREATE TRIGGER risk_object_scope_upd AFTER UPDATE ON risk_object
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('object');
CREATE TRIGGER risk_object_scope_del AFTER DELETE ON risk_object
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('object');
CREATE TRIGGER hidden_hazard_scope_ins AFTER INSERT ON hidden_hazard
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('hidden hazard');
CREATE TRIGGER hidden_hazard_scope_upd AFTER UPDATE ON hidden_hazard
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('hidden hazard');
CREATE TRIGGER incident_scope_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('incident');
CREATE TRIGGER incident_scope_upd AFTER UPDATE ON incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('incident');
CREATE TRIGGER hazard_zone_scope_ins AFTER INSERT ON hazard_zone
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('zone');
CREATE TRIGGER hazard_zone_scope_upd AFTER UPDATE ON hazard_zone
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('zone');
CREATE TRIGGER app_user_scope_ins AFTER INSERT ON app_user
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('user');
CREATE TRIGGER app_user_scope_upd AFTER UPDATE ON app_user
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('user');
CREATE TRIGGER api_token_scope_ins AFTER INSERT ON api_token
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('API token');
CREATE TRIGGER api_token_scope_upd AFTER UPDATE ON api_token
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('API token');

-- An assignment sends a resource to an incident: both must be the
-- actor's (a county sends its own teams to its own incidents; another
-- county's team is sent by the level above both). Its release (an
-- update) is for whoever holds the incident or the resource.
CREATE FUNCTION dispatch_assignment_scope() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    scope text := riskmap_scope();
    bad   record;
BEGIN
    IF scope = '*' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT i.division_code AS i_code, o.division_code AS o_code,
               riskmap_in_scope(i.division_code, scope) AS i_ok INTO bad
        FROM new_rows n JOIN incident i ON i.id = n.incident_id JOIN risk_object o ON o.id = n.resource_id
        WHERE NOT (riskmap_in_scope(i.division_code, scope) AND riskmap_in_scope(o.division_code, scope))
        LIMIT 1;
        IF FOUND THEN
            IF bad.i_ok THEN
                PERFORM riskmap_scope_refuse(bad.o_code, 'rescue resource');
            END IF;
            PERFORM riskmap_scope_refuse(bad.i_code, 'incident');
        END IF;
    ELSE
        SELECT i.division_code AS i_code INTO bad
        FROM new_rows n JOIN incident i ON i.id = n.incident_id JOIN risk_object o ON o.id = n.resource_id
        WHERE NOT (riskmap_in_scope(i.division_code, scope) OR riskmap_in_scope(o.division_code, scope))
        LIMIT 1;
        IF FOUND THEN
            PERFORM riskmap_scope_refuse(bad.i_code, 'incident');
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER dispatch_assignment_scope_ins AFTER INSERT ON dispatch_assignment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dispatch_assignment_scope();
CREATE TRIGGER dispatch_assignment_scope_upd AFTER UPDATE ON dispatch_assignment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dispatch_assignment_scope();

-- A position fix is its resource's: a county's feed reports the county's
-- teams, wherever they drive.
CREATE FUNCTION resource_position_scope() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    scope text := riskmap_scope();
    bad   text;
BEGIN
    IF scope = '*' THEN
        RETURN NULL;
    END IF;
    SELECT o.division_code INTO bad
    FROM new_rows n JOIN risk_object o ON o.id = n.resource_id
    WHERE NOT riskmap_in_scope(o.division_code, scope)
    LIMIT 1;
    IF FOUND THEN
        PERFORM riskmap_scope_refuse(bad, 'rescue resource');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER resource_position_scope_ins AFTER INSERT ON resource_position
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION resource_position_scope();

-- Object events name each object's division, so that the event stream
-- sends a reader only those of their division (web/events.go): the
-- functions of 0007 with "division" added.
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
                                       'division', coalesce(w.division_code, ''),
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

CREATE OR REPLACE FUNCTION hazard_announce_overdue() RETURNS integer
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
                                   'division', coalesce(s.division_code, ''),
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
