-- Whether category $1 has no object at all, active or retired, from
-- source $2: only then may an import copy straight into risk_object.
-- $1 category text, $2 source text
SELECT NOT EXISTS (SELECT 1 FROM risk_object WHERE category = $1::risk_category AND source = $2);
