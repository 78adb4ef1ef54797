-- Tells every screen about a dispatch: the rescue-resource layer changed
-- at the resources' places (their status is no tile property, but
-- status-filtered tiles change), the incidents layer at the incident, and
-- on riskmap_objects {"kind": "dispatch", "incident_id", "action"
-- (assigned, released or status), "resources": [ids], "status",
-- "divisions": the incident's and the resources' divisions}. Sent when
-- the transaction commits.
-- $1 incident, $2 action, $3 resource ids bigint[], $4 incident status
SELECT bump_layer_versions(ARRAY['rescue_resources', 'incidents'],
           (SELECT ST_Expand(ST_Extent(g)::geometry, 0.001)
            FROM (SELECT o.geom AS g FROM risk_object o WHERE o.id = ANY ($3::bigint[])
                  UNION ALL SELECT i.geom FROM incident i WHERE i.id = $1) x)),
       pg_notify('riskmap_objects', json_build_object('kind', 'dispatch', 'incident_id', $1::bigint, 'action', $2::text,
                                                      'resources', $3::bigint[], 'status', $4::text,
                                                      'divisions', (SELECT coalesce(array_agg(DISTINCT d), '{}')
                                                                    FROM (SELECT i.division_code AS d FROM incident i WHERE i.id = $1
                                                                          UNION ALL SELECT o.division_code FROM risk_object o
                                                                          WHERE o.id = ANY ($3::bigint[])) x
                                                                    WHERE d IS NOT NULL))::text);
