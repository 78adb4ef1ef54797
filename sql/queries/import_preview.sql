-- What a merge of the staged rows would do, without doing it (dry runs):
-- new rows, changed rows, with $2 the objects it would retire; then the
-- source's active objects, the rows whose id an active object of another
-- source of the category has already, and the source holding most of them.
-- $1 source text, $2 replace bool, $3 categories text[]
SELECT
    (SELECT count(*) FROM import_rows r
     WHERE NOT EXISTS (SELECT 1 FROM risk_object o
                       WHERE o.category = r.category::risk_category AND o.source = $1 AND o.source_id = r.source_id)),
    (SELECT count(*) FROM import_rows r JOIN risk_object o
       ON o.category = r.category::risk_category AND o.source = $1 AND o.source_id = r.source_id
     WHERE risk_object_differs(o, r.name, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4490), nullif(r.county, ''), r.grade::risk_grade,
                               r.score, nullif(r.method, ''), r.assessed_at, r.attributes)),
    CASE WHEN $2 THEN
        (SELECT count(*) FROM risk_object o
         WHERE o.source = $1 AND o.category = ANY ($3::text[]::risk_category[]) AND o.retired_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM import_rows r WHERE r.category = o.category::text AND r.source_id = o.source_id))
    ELSE 0 END,
    (SELECT count(*) FROM risk_object o
     WHERE o.source = $1 AND o.category = ANY ($3::text[]::risk_category[]) AND o.retired_at IS NULL),
    (SELECT count(*) FROM import_rows r
     WHERE EXISTS (SELECT 1 FROM risk_object o
                   WHERE o.category = r.category::risk_category AND o.source_id = r.source_id
                     AND o.source <> $1 AND o.retired_at IS NULL)),
    coalesce((SELECT o.source FROM import_rows r
              JOIN risk_object o ON o.category = r.category::risk_category AND o.source_id = r.source_id
                                AND o.source <> $1 AND o.retired_at IS NULL
              GROUP BY o.source ORDER BY count(*) DESC, o.source LIMIT 1), '');
