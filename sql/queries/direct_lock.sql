-- A direct copy numbers its assessment records itself: no one else may
-- add records until it commits (reading them stays allowed).
LOCK TABLE risk_assessment IN SHARE ROW EXCLUSIVE MODE;
