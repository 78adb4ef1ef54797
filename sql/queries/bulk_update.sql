-- Bulk import, step 1: updates the known objects that changed.
-- $1 source text
UPDATE risk_object o
SET name = r.name, geom = ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4490), county_code = nullif(r.county, ''), division_code = r.division,
    grade = r.grade::risk_grade, score = r.score, method = nullif(r.method, ''),
    assessed_at = riskmap_assessed_at(o, r.grade::risk_grade, r.score, nullif(r.method, ''), r.assessed_at),
    attributes = r.attributes, retired_at = NULL, updated_at = now()
FROM import_rows r
WHERE o.category = r.category::risk_category AND o.source = $1 AND o.source_id = r.source_id
  AND (risk_object_differs(o, r.name, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4490), nullif(r.county, ''), r.grade::risk_grade,
                           r.score, nullif(r.method, ''), r.assessed_at, r.attributes)
       OR o.division_code IS DISTINCT FROM r.division);
