-- Moves the staged risk objects into risk_object: new ones are inserted,
-- known ones (same category, source and source id) updated only where
-- something changed, so that reloading the same data changes nothing.
INSERT INTO risk_object AS o (category, name, geom, county_code, grade, score, method, assessed_at,
                              source, source_id, attributes)
SELECT l.category::risk_category, l.name, ST_SetSRID(ST_MakePoint(l.lon, l.lat), 4490),
       nullif(l.county_code, ''), l.grade::risk_grade, l.score, nullif(l.method, ''), l.assessed_at,
       l.source, l.source_id, l.attributes
FROM load_objects l
ON CONFLICT (category, source, source_id) DO UPDATE
SET name = EXCLUDED.name, geom = EXCLUDED.geom, county_code = EXCLUDED.county_code,
    grade = EXCLUDED.grade, score = EXCLUDED.score, method = EXCLUDED.method,
    assessed_at = EXCLUDED.assessed_at, attributes = EXCLUDED.attributes, updated_at = now()
WHERE (o.name, ST_AsBinary(o.geom), o.county_code, o.grade, o.score, o.method, o.assessed_at, o.attributes)
      IS DISTINCT FROM
      (EXCLUDED.name, ST_AsBinary(EXCLUDED.geom), EXCLUDED.county_code, EXCLUDED.grade, EXCLUDED.score,
       EXCLUDED.method, EXCLUDED.assessed_at, EXCLUDED.attributes);
