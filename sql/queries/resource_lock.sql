-- Locks a risk object that is to be assigned or moved: its category, its
-- status attribute, whether it is retired, its distance in metres from
-- point $2 (spheroid), and the incident its active assignment is for
-- (NULL: none) with its title. $1 id, $2 point geometry (4490)
SELECT o.category::text, coalesce(o.attributes->>'status', ''), o.retired_at IS NOT NULL,
       ST_Distance(o.geom::geography, $2::text::geometry::geography, true),
       (SELECT a.incident_id FROM dispatch_assignment a WHERE a.resource_id = o.id AND a.released_at IS NULL),
       coalesce((SELECT i.title FROM dispatch_assignment a JOIN incident i ON i.id = a.incident_id
                 WHERE a.resource_id = o.id AND a.released_at IS NULL), '')
FROM risk_object o
WHERE o.id = $1
FOR UPDATE OF o;
