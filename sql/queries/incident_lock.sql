-- Locks an incident for a change of its state or assignments; returns its
-- status and place. $1 id
SELECT i.status, ST_AsHexEWKB(i.geom) FROM incident i WHERE i.id = $1 FOR UPDATE;
