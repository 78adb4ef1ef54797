-- 0016: each audit entry keeps the division of the one who acted (NULL:
-- the whole deployment, the command line, or nobody logged in), so that
-- an admin of a division reads what was done from there and below.
-- Entries written before keep NULL: only whole-deployment admins read
-- them.
ALTER TABLE audit_log ADD COLUMN division_code varchar(12);
CREATE INDEX audit_log_division_idx ON audit_log (division_code text_pattern_ops, id DESC) WHERE division_code IS NOT NULL;
