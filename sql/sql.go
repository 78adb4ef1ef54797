// Package sql holds every SQL statement riskmap runs, as .sql files
// embedded in the binary: forward-only schema migrations under migrations/,
// one parameterised statement per file under queries/, and what the
// embedded cluster runs through psql to create its database under
// bootstrap/.
//
// Importers of this package call it sqlfs, so that readers do not mistake
// it for database/sql.
package sql

import "embed"

// FS holds migrations/NNNN_name.sql, queries/name.sql and
// bootstrap/name.sql.
//
//go:embed migrations/*.sql queries/*.sql bootstrap/*.sql grading/*.json
var FS embed.FS
