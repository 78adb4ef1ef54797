-- A direct copy's objects, in COPY's binary format (see copybin.go), the
-- columns in this order.
COPY risk_object (id, category, name, geom, county_code, division_code, grade, score, method, assessed_at,
                  source, source_id, attributes, assessment_id)
FROM STDIN (FORMAT binary)
