-- The id of the object of category $1 from source $2 with source id $3;
-- no row when absent.
SELECT id FROM risk_object WHERE category = $1::text::risk_category AND source = $2 AND source_id = $3;
