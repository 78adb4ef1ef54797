-- Moves the staged rows into risk_object: new ones are inserted; known ones
-- (same category, source and source id) are updated, and brought back if
-- they were retired, only where something changed, so that importing the
-- same file twice changes nothing.
-- $1 source text. Returns the numbers inserted and updated.
WITH up AS (
    INSERT INTO risk_object AS o (category, name, geom, county_code, division_code, grade, score, method, assessed_at,
                                  source, source_id, attributes)
    SELECT r.category::risk_category, r.name, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4490),
           nullif(r.county, ''), r.division, r.grade::risk_grade, r.score, nullif(r.method, ''),
           riskmap_assessed_at(k, r.grade::risk_grade, r.score, nullif(r.method, ''), r.assessed_at),
           $1, r.source_id, r.attributes
    FROM import_rows r
    LEFT JOIN risk_object k ON k.category = r.category::risk_category AND k.source = $1 AND k.source_id = r.source_id
    ON CONFLICT (category, source, source_id) DO UPDATE
    SET name = EXCLUDED.name, geom = EXCLUDED.geom, county_code = EXCLUDED.county_code, division_code = EXCLUDED.division_code,
        grade = EXCLUDED.grade, score = EXCLUDED.score, method = EXCLUDED.method,
        assessed_at = EXCLUDED.assessed_at, attributes = EXCLUDED.attributes,
        retired_at = NULL, updated_at = now()
    WHERE risk_object_differs(o, EXCLUDED.name, EXCLUDED.geom, EXCLUDED.county_code, EXCLUDED.grade, EXCLUDED.score,
                              EXCLUDED.method, EXCLUDED.assessed_at, EXCLUDED.attributes)
       OR o.division_code IS DISTINCT FROM EXCLUDED.division_code
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up;
