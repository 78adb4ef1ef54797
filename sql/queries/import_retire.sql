-- Retires (keeps, but takes off the map) the active objects of source $1
-- in categories $2 that the staged import no longer has.
-- $1 source text, $2 categories text[]
UPDATE risk_object o
SET retired_at = now(), updated_at = now()
WHERE o.source = $1
  AND o.category = ANY ($2::text[]::risk_category[])
  AND o.retired_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM import_rows r
                  WHERE r.category = o.category::text AND r.source_id = o.source_id);
