-- The unique and foreign-key constraints of risk_object, with their
-- definitions, which a bulk import drops and restores.
SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = 'risk_object'::regclass AND contype IN ('u', 'f')
ORDER BY conname;
