-- The names of divisions. $1 codes
SELECT code, name FROM admin_division WHERE code = ANY ($1::text[]);
