package main

import (
	"context"
	"fmt"
	"io"
)

const migrateHelp = `Usage: riskmap migrate [flags]

Applies the schema migrations the database has not had yet, each in its
own transaction, and lists them. Safe to run again: it then does nothing.
Works whether or not a riskmap server is running on the same data directory.
`

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db dbConfig
	fs := newFlagSet("migrate", migrateHelp, stderr)
	db.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, closeDB, err := db.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	applied, err := store.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	if err != nil {
		return err
	}
	st, err := store.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if len(st.Unknown) > 0 {
		return fmt.Errorf("the database schema has migrations %v that this riskmap (%s) does not know: run a newer riskmap", st.Unknown, versionString())
	}
	fmt.Fprintf(stdout, "schema is up to date (%d migrations)\n", st.Applied)
	return nil
}
