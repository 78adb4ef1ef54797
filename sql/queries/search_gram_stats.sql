-- How common the character pairs of names and addresses are (ANALYZE's
-- element statistics of risk_object.search_grams), for Search to tell a
-- query that nearly every object matches: the pairs, the share of rows
-- holding each, and the table's estimated rows. No row before an ANALYZE.
SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
FROM pg_stats s
JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = s.schemaname)
WHERE s.schemaname = current_schema() AND s.tablename = 'risk_object' AND s.attname = 'search_grams'
  AND s.most_common_elems IS NOT NULL;
