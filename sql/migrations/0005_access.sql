-- 0005: users, their sessions and API tokens, and the audit log.

CREATE TYPE riskmap_role AS ENUM ('viewer', 'dispatcher', 'planner', 'admin');

CREATE TABLE app_user (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text         NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    display_name  text         NOT NULL DEFAULT '',
    role          riskmap_role NOT NULL,
    password_hash text         NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled_at   timestamptz,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now()
);

-- A login: the cookie's secret is stored hashed, with the CSRF token
-- that cookie-authenticated writes must send back.
CREATE TABLE app_session (
    secret_hash bytea       PRIMARY KEY CHECK (length(secret_hash) = 32),
    user_id     bigint      NOT NULL REFERENCES app_user (id),
    csrf        text        NOT NULL,
    remote      text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX app_session_user_idx ON app_session (user_id);

-- A machine's key (a GPS feed, an importer script): acts for its user
-- with its own role, until it expires or is revoked. The secret is
-- stored hashed.
CREATE TABLE api_token (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text         NOT NULL CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    user_id     bigint       NOT NULL REFERENCES app_user (id),
    role        riskmap_role NOT NULL,
    secret_hash bytea        NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_by  text         NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    expires_at  timestamptz  NOT NULL,
    revoked_at  timestamptz,
    last_used_at timestamptz
);

-- Who changed what, when and from where; never changed or deleted (the
-- same trigger as risk_assessment's refuses it).
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,           -- user:NAME, token:NAME#ID, cli:OSUSER
    role       text        NOT NULL DEFAULT '',
    remote     text        NOT NULL DEFAULT '', -- the client's address
    request_id text        NOT NULL DEFAULT '',
    action     text        NOT NULL,           -- import, assess, hazard.report, hazard.step, user.add …
    target     text        NOT NULL DEFAULT '',
    outcome    text        NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'refused', 'failed')),
    before     jsonb,
    after      jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION riskmap_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION riskmap_append_only();
