-- Bulk import, step 2: inserts the objects the source did not have.
-- $1 source text
INSERT INTO risk_object (category, name, geom, county_code, division_code, grade, score, method, assessed_at, source, source_id, attributes)
SELECT r.category::risk_category, r.name, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4490),
       nullif(r.county, ''), r.division, r.grade::risk_grade, r.score, nullif(r.method, ''),
       riskmap_assessed_at(NULL::risk_object, r.grade::risk_grade, r.score, nullif(r.method, ''), r.assessed_at),
       $1, r.source_id, r.attributes
FROM import_rows r
WHERE NOT EXISTS (SELECT 1 FROM risk_object o
                  WHERE o.category = r.category::risk_category AND o.source = $1 AND o.source_id = r.source_id);
