-- One division's name, level, parent and whether it is a local unit. $1 code.
SELECT d.name, d.level, coalesce(d.parent_code, ''), d.local
FROM admin_division d
WHERE d.code = $1;
