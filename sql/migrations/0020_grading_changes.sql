-- 0020: a change to the grading configuration made in the browser says
-- why (the reason is kept with the version it stored), and only an actor
-- of the whole deployment may make one: the schemes and rules grade every
-- division's objects.
ALTER TABLE grading_scheme ADD COLUMN reason text NOT NULL DEFAULT '';
ALTER TABLE grading_rule ADD COLUMN reason text NOT NULL DEFAULT '';

-- Refuses (as riskmap_scope_refuse) unless the actor acts for the whole
-- deployment; what names what was being changed.
CREATE FUNCTION riskmap_require_whole(what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF riskmap_scope() <> '*' THEN
        PERFORM riskmap_scope_refuse(NULL, what);
    END IF;
END $$;

CREATE FUNCTION riskmap_whole_deployment_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM riskmap_require_whole(TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE TRIGGER grading_scheme_scope AFTER INSERT OR UPDATE OR DELETE ON grading_scheme
    FOR EACH STATEMENT EXECUTE FUNCTION riskmap_whole_deployment_guard('grading scheme');
CREATE TRIGGER grading_rule_scope AFTER INSERT OR UPDATE OR DELETE ON grading_rule
    FOR EACH STATEMENT EXECUTE FUNCTION riskmap_whole_deployment_guard('grading rule');

-- The assessments such a change makes say so.
ALTER TABLE risk_assessment DROP CONSTRAINT risk_assessment_reason_check;
ALTER TABLE risk_assessment ADD CONSTRAINT risk_assessment_reason_check
    CHECK (reason IN ('import', 'api', 'recompute', 'hidden_hazard', 'grading'));
