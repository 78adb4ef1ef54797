-- 0015: 挂牌督办 (plan item 9: 逐级挂牌督办). A level above puts a hidden
-- hazard of a division below under its supervision: the supervising
-- division, the mode, the window from 交办 (the plan's 市级60日, 县级30日)
-- and the deadlines of the two steps that are the division below's:
-- 签收 (acknowledge) and 反馈 (feedback on the rectification). Once the
-- hazard is closed (销号 of the loop), the supervising division lifts it
-- (摘牌). One open supervision per hazard and supervising division.
CREATE TABLE hazard_supervision (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hazard_id      bigint      NOT NULL REFERENCES hidden_hazard (id),
    division_code  varchar(12) NOT NULL REFERENCES admin_division (code),  -- the supervising division
    mode           text        NOT NULL CHECK (mode IN ('listed', 'covert', 'ordinary')),  -- 挂牌 / 暗访 / 督办
    requirements   text        NOT NULL DEFAULT '',                          -- 督办要求
    issued_by      text        NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    issued_on      date        NOT NULL,                                     -- local date of 交办
    window_days    smallint    NOT NULL CHECK (window_days BETWEEN 1 AND 366),
    deadline_on    date        GENERATED ALWAYS AS (issued_on + window_days) STORED,
    ack_due        timestamptz NOT NULL,
    acked_by       text,
    acked_at       timestamptz,
    ack_note       text        NOT NULL DEFAULT '',
    feedback_due   timestamptz NOT NULL,
    fed_back_by    text,
    fed_back_at    timestamptz,                                              -- the first feedback
    feedback_note  text        NOT NULL DEFAULT '',                          -- the latest
    feedbacks      integer     NOT NULL DEFAULT 0,
    lifted_by      text,
    lifted_at      timestamptz,
    lift_note      text        NOT NULL DEFAULT '',
    CHECK ((acked_by IS NULL) = (acked_at IS NULL)),
    CHECK ((fed_back_by IS NULL) = (fed_back_at IS NULL)),
    CHECK (fed_back_at IS NULL OR acked_at IS NOT NULL),
    CHECK ((lifted_by IS NULL) = (lifted_at IS NULL)),
    CHECK (ack_due <= feedback_due)
);
CREATE UNIQUE INDEX hazard_supervision_open_idx ON hazard_supervision (hazard_id, division_code) WHERE lifted_at IS NULL;
CREATE INDEX hazard_supervision_division_idx ON hazard_supervision (division_code) WHERE lifted_at IS NULL;

-- A supervision as the store reads it (geo.Supervision, in that order):
-- with its hazard, the supervising division's name and the derived
-- step and flags (local dates).
CREATE VIEW hazard_supervision_status AS
SELECT s.id, s.hazard_id, h.code AS hazard_code, h.title AS hazard_title, h.level::text AS hazard_level,
       h.state::text AS hazard_state, coalesce(h.division_code, '') AS hazard_division,
       s.division_code, coalesce(d.name, '') AS division_name, s.mode, s.requirements,
       s.issued_by, s.issued_at, s.issued_on::text AS issued_on, s.window_days::int AS window_days, s.deadline_on::text AS deadline_on,
       s.ack_due, coalesce(s.acked_by, '') AS acked_by, s.acked_at, s.ack_note,
       s.feedback_due, coalesce(s.fed_back_by, '') AS fed_back_by, s.fed_back_at, s.feedback_note, s.feedbacks,
       coalesce(s.lifted_by, '') AS lifted_by, s.lifted_at, s.lift_note,
       CASE WHEN s.lifted_at IS NOT NULL THEN 'lifted'
            WHEN h.state IN ('closed', 'invalid') THEN 'lift'
            WHEN s.acked_at IS NULL THEN 'acknowledge'
            WHEN s.fed_back_at IS NULL THEN 'feedback'
            ELSE 'rectify' END AS step,
       coalesce(s.acked_at, now()) > s.ack_due AS ack_late,
       coalesce(s.fed_back_at, now()) > s.feedback_due AS feedback_late,
       coalesce(CASE WHEN h.state IN ('closed', 'invalid') THEN h.closed_on
                     ELSE (now() AT TIME ZONE 'Asia/Shanghai')::date END > s.deadline_on, false) AS deadline_late,
       -- waiting for a step past its deadline: 签收, 反馈, or the hazard's closing by the window's end
       s.lifted_at IS NULL AND h.state NOT IN ('closed', 'invalid')
           AND ((s.acked_at IS NULL AND now() > s.ack_due) OR (s.fed_back_at IS NULL AND now() > s.feedback_due)
                OR (now() AT TIME ZONE 'Asia/Shanghai')::date > s.deadline_on) AS overdue
FROM hazard_supervision s
JOIN hidden_hazard h ON h.id = s.hazard_id
LEFT JOIN admin_division d ON d.code = s.division_code;

-- Who may do what to a supervision, checked on every statement:
--  * issuing (insert): the supervising division and the hazard are the
--    actor's, and the hazard lies strictly below the supervising
--    division (a level supervises the levels below it, not itself);
--  * 签收 and 反馈 (acked / fed back changed): the hazard is the actor's,
--    and the actor is below the supervising division (these steps are
--    the supervised division's answer, not the supervisor's);
--  * lifting: the supervising division is the actor's.
-- Outside the actor's division: riskmap_scope_refuse (a 403). A rule of
-- levels broken: check_violation naming the rule (a 409).
CREATE FUNCTION hazard_supervision_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    scope text := riskmap_scope();
    bad   record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF scope <> '*' THEN
            SELECT h.division_code AS code INTO bad FROM new_rows n JOIN hidden_hazard h ON h.id = n.hazard_id
            WHERE NOT riskmap_in_scope(h.division_code, scope) LIMIT 1;
            IF FOUND THEN
                PERFORM riskmap_scope_refuse(bad.code, 'hidden hazard');
            END IF;
            SELECT n.division_code AS code INTO bad FROM new_rows n WHERE NOT riskmap_in_scope(n.division_code, scope) LIMIT 1;
            IF FOUND THEN
                PERFORM riskmap_scope_refuse(bad.code, 'supervising division');
            END IF;
        END IF;
        SELECT n.division_code AS sup, h.division_code AS code INTO bad FROM new_rows n JOIN hidden_hazard h ON h.id = n.hazard_id
        WHERE h.division_code IS NULL OR h.division_code = n.division_code
           OR NOT starts_with(h.division_code, riskmap_division_prefix(n.division_code))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'riskmap: the hazard in % is not below the supervising division %', coalesce(bad.code, 'no division'), bad.sup
                USING ERRCODE = 'check_violation', CONSTRAINT = 'hazard_supervision_below';
        END IF;
        RETURN NULL;
    END IF;
    IF scope = '*' THEN
        RETURN NULL;
    END IF;
    -- 签收 and 反馈.
    SELECT h.division_code AS code, riskmap_in_scope(h.division_code, scope) AS mine INTO bad
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN hidden_hazard h ON h.id = n.hazard_id
    WHERE (n.acked_at IS DISTINCT FROM o.acked_at OR n.feedbacks <> o.feedbacks)
      AND (NOT riskmap_in_scope(h.division_code, scope) OR riskmap_in_scope(n.division_code, scope))
    ORDER BY 2
    LIMIT 1;
    IF FOUND THEN
        IF NOT bad.mine THEN
            PERFORM riskmap_scope_refuse(bad.code, 'hidden hazard');
        END IF;
        RAISE EXCEPTION 'riskmap: acknowledging and feedback are for the supervised division'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'hazard_supervision_steps_below';
    END IF;
    -- Lifting, and anything else that changes.
    SELECT n.division_code AS code INTO bad
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.lifted_at IS DISTINCT FROM o.lifted_at OR n.division_code <> o.division_code OR n.window_days <> o.window_days
           OR n.ack_due <> o.ack_due OR n.feedback_due <> o.feedback_due)
      AND NOT (riskmap_in_scope(n.division_code, scope) AND riskmap_in_scope(o.division_code, scope))
    LIMIT 1;
    IF FOUND THEN
        PERFORM riskmap_scope_refuse(bad.code, 'supervision');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER hazard_supervision_guard_ins AFTER INSERT ON hazard_supervision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hazard_supervision_guard();
CREATE TRIGGER hazard_supervision_guard_upd AFTER UPDATE ON hazard_supervision
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hazard_supervision_guard();
CREATE TRIGGER hazard_supervision_no_delete BEFORE DELETE ON hazard_supervision
    FOR EACH ROW EXECUTE FUNCTION riskmap_append_only();

-- Tasks moved: on riskmap_objects {"kind": "tasks", "divisions": the
-- divisions whose tasks changed (null: too many to list)}, for the pages
-- that show them to read them again. Sent when the transaction commits;
-- one per statement that changed hazards, receipts or supervisions.
CREATE FUNCTION riskmap_tasks_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    IF TG_TABLE_NAME = 'hazard_supervision' THEN
        SELECT array_agg(DISTINCT c) INTO codes FROM (
            SELECT n.division_code AS c FROM new_rows n
            UNION ALL SELECT h.division_code FROM new_rows n JOIN hidden_hazard h ON h.id = n.hazard_id) x
        WHERE c IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT n.division_code) INTO codes FROM new_rows n WHERE n.division_code IS NOT NULL;
    END IF;
    IF codes IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('riskmap_objects', json_build_object('kind', 'tasks',
        'divisions', CASE WHEN cardinality(codes) <= 64 THEN to_json(codes) END)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER hazard_supervision_tasks_ins AFTER INSERT ON hazard_supervision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_tasks_notify();
CREATE TRIGGER hazard_supervision_tasks_upd AFTER UPDATE ON hazard_supervision
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_tasks_notify();
CREATE TRIGGER incident_receipt_tasks_ins AFTER INSERT ON incident_receipt
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_tasks_notify();
CREATE TRIGGER incident_receipt_tasks_upd AFTER UPDATE ON incident_receipt
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_tasks_notify();
CREATE TRIGGER hidden_hazard_tasks_ins AFTER INSERT ON hidden_hazard
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_tasks_notify();
CREATE TRIGGER hidden_hazard_tasks_upd AFTER UPDATE ON hidden_hazard
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_tasks_notify();
