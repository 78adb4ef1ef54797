-- 0008: dispatch. Incidents, the assignment of rescue resources to them
-- (one active assignment per resource, by a unique partial index), the
-- GPS positions of resources, and the index that finds the nearest
-- resources and shelters (domain.md §3.1, §4.10).

-- The incidents layer: every write moves its version and notifies, like
-- the other layers.
INSERT INTO layer_version (layer, version) VALUES ('incidents', nextval('data_version_seq'));

CREATE TABLE incident (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- also the MVT feature id
    kind        text        NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    level       text        NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),  -- 特别重大, 重大, 较大, 一般
    title       text        NOT NULL CHECK (title <> '' AND length(title) <= 200),
    description text        NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    geom        geometry(Point, 4490) NOT NULL,
    geom_3857   geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    county_code varchar(6)  REFERENCES admin_division (code),
    reported_at timestamptz NOT NULL,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'responding', 'closed')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX incident_geom_3857_idx ON incident USING gist (geom_3857);
CREATE INDEX incident_open_idx ON incident (reported_at DESC) WHERE status <> 'closed';

CREATE TRIGGER incident_bump_ins AFTER INSERT ON incident
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('incidents');
CREATE TRIGGER incident_bump_upd AFTER UPDATE ON incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('incidents');
CREATE TRIGGER incident_bump_del AFTER DELETE ON incident
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('incidents');

-- An assignment of a rescue resource to an incident. While it is active
-- (released_at NULL) the resource's status is "dispatched" and it can be
-- given to no other incident: the unique index makes a second active
-- assignment of the same resource fail, whatever the application does.
CREATE TABLE dispatch_assignment (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id     bigint      NOT NULL REFERENCES incident (id),
    resource_id     bigint      NOT NULL REFERENCES risk_object (id),
    previous_status text        NOT NULL,   -- the resource's status before, given back on release
    straight_m      double precision NOT NULL CHECK (straight_m >= 0),
    eta_s           double precision CHECK (eta_s >= 0),  -- road travel time when a network was loaded
    eta_method      text        NOT NULL CHECK (eta_method IN ('network', 'straight_line')),
    assigned_by     text        NOT NULL,
    assigned_at     timestamptz NOT NULL DEFAULT now(),
    released_by     text,
    released_at     timestamptz,
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE UNIQUE INDEX dispatch_assignment_active_key ON dispatch_assignment (resource_id) WHERE released_at IS NULL;
CREATE INDEX dispatch_assignment_incident_idx ON dispatch_assignment (incident_id);

-- Only rescue resources can be assigned.
CREATE FUNCTION dispatch_assignment_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM risk_object WHERE id = NEW.resource_id AND category = 'rescue_resources') THEN
        RAISE EXCEPTION 'risk object % is not a rescue resource', NEW.resource_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER dispatch_assignment_check BEFORE INSERT ON dispatch_assignment
    FOR EACH ROW EXECUTE FUNCTION dispatch_assignment_check();

-- Where resources have been, as their GPS/北斗 feeds said. The newest
-- position is also the resource's risk_object.geom, so that it moves on
-- every map; this table keeps the track.
CREATE TABLE resource_position (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_id bigint      NOT NULL REFERENCES risk_object (id),
    geom        geometry(Point, 4490) NOT NULL,
    accuracy_m  double precision CHECK (accuracy_m >= 0),
    recorded_at timestamptz NOT NULL,  -- by the device
    received_at timestamptz NOT NULL DEFAULT now(),
    source      text        NOT NULL
);
CREATE INDEX resource_position_resource_idx ON resource_position (resource_id, recorded_at DESC);

-- Nearest resources and shelters: a KNN scan on the sphere (geography
-- <->), then the exact spheroidal distance of what it found. Partial, so
-- that the other categories' imports do not pay for it.
CREATE INDEX risk_object_dispatch_geog_idx ON risk_object USING gist ((geom::geography))
    WHERE category IN ('rescue_resources', 'shelters') AND retired_at IS NULL;

-- A re-import of the resources while one is dispatched must not make it
-- look available: its status stays dispatched while its assignment is
-- active, and the status the source now gives is what it gets back on
-- release. (Release ends the assignment in a statement before it gives
-- the status back, so that this trigger sees it ended.)
CREATE FUNCTION risk_object_keep_dispatched() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dispatch_assignment SET previous_status = coalesce(NEW.attributes->>'status', '')
    WHERE resource_id = NEW.id AND released_at IS NULL;
    IF FOUND THEN
        NEW.attributes := NEW.attributes || jsonb_build_object('status', 'dispatched', 'incident_id', OLD.attributes->'incident_id');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER risk_object_keep_dispatched BEFORE UPDATE ON risk_object
    FOR EACH ROW
    WHEN (OLD.attributes->>'status' = 'dispatched' AND NEW.attributes->>'status' IS DISTINCT FROM 'dispatched')
    EXECUTE FUNCTION risk_object_keep_dispatched();
