-- Deletes the objects of source $1 that the staged load no longer has:
-- a full reload of a source replaces it.
-- $1 source text
DELETE FROM risk_object o
WHERE o.source = $1
  AND NOT EXISTS (SELECT 1 FROM load_objects l
                  WHERE l.category = o.category::text AND l.source_id = o.source_id);
