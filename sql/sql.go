// Package sql holds every SQL statement riskmap runs, as .sql files
// embedded in the binary: forward-only schema migrations under migrations/
// and one parameterised statement per file under queries/.
//
// Importers of this package call it sqlfs, so that readers do not mistake
// it for database/sql.
package sql

import "embed"

// FS holds migrations/NNNN_name.sql and queries/name.sql.
//
//go:embed migrations/*.sql queries/*.sql
var FS embed.FS
