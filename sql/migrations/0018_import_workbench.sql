-- 0018: the import page. A data keeper's role (editor: imports the
-- objects of its division, manages nothing else); mapping
-- templates kept per source and applied to its next file; imports
-- recorded with the division of whoever ran them and their problems, for
-- the history page.
ALTER TYPE riskmap_role ADD VALUE IF NOT EXISTS 'editor' BEFORE 'planner';

ALTER TABLE import_run
    ADD COLUMN division_code varchar(12),          -- the actor's; NULL: the whole deployment
    ADD COLUMN problems      jsonb NOT NULL DEFAULT '[]', -- as the report kept them
    ADD COLUMN problems_total integer NOT NULL DEFAULT 0;
CREATE INDEX import_run_division_idx ON import_run (division_code text_pattern_ops, id DESC);

-- A source's column mapping (importers.Mapping as JSON), saved from the
-- import page and offered for the source's next file. division_code is
-- the division of whoever saved it: only that division and those above
-- change it (the scope guard).
CREATE TABLE import_template (
    category      text        NOT NULL,
    source        text        NOT NULL CHECK (source <> ''),
    mapping       jsonb       NOT NULL,
    division_code varchar(12),
    updated_by    text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (category, source)
);
CREATE TRIGGER import_template_scope_ins AFTER INSERT ON import_template
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('import template');
CREATE TRIGGER import_template_scope_upd AFTER UPDATE ON import_template
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION riskmap_scope_guard('import template');
