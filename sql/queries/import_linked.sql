-- The objects of source $1 in categories $2 that this import changed and
-- that have open hidden hazards: the import graded them without.
SELECT o.id FROM risk_object o
WHERE o.source = $1 AND o.category = ANY ($2::text[]::risk_category[]) AND o.updated_at = now()
  AND EXISTS (SELECT 1 FROM hidden_hazard h WHERE h.object_id = o.id AND h.state NOT IN ('closed', 'invalid'));
