-- One supervision (geo.Supervision's columns).
-- $1 id
SELECT * FROM hazard_supervision_status WHERE id = $1;
