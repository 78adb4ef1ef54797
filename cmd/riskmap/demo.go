package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"riskmap/geo/postgis"
	"riskmap/importers/demo"
)

const demoHelp = `Usage: riskmap demo [flags]

Migrates the database, loads the Lishui (丽水市) demo data — the nine real
counties, the 瓯江, towns, and 10,800 generated risk objects in five
categories graded red/orange/yellow/blue or unassessed — then serves it like
"riskmap serve". Running it again changes nothing that is already loaded.
`

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("demo", demoHelp, stderr)
	cfg.register(fs, getenv)
	loadOnly := fs.Bool("load-only", false, "load the demo data and exit without serving")
	if err := cfg.parse(fs, args); err != nil {
		return err
	}
	store, closeDB, err := cfg.db.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := loadDemo(ctx, store, stdout); err != nil {
		return err
	}
	if *loadOnly {
		return nil
	}
	return serve(ctx, &cfg, store, stdout, stderr)
}

func loadDemo(ctx context.Context, store *postgis.Store, stdout io.Writer) error {
	start := time.Now()
	if _, err := store.Migrate(ctx); err != nil {
		return err
	}
	ds, err := demo.Lishui()
	if err != nil {
		return fmt.Errorf("build demo data: %w", err)
	}
	st, err := store.Load(ctx, postgis.Dataset{Source: demo.Source, Divisions: ds.Divisions, Context: ds.Context, Objects: ds.Objects})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d objects, %d counties, %d background features; changed %d objects, %d counties, %d background features, removed %d (%s)\n",
		len(ds.Objects), len(ds.Divisions), len(ds.Context), st.Objects, st.Divisions, st.Context, st.Removed, time.Since(start).Round(time.Millisecond))
	return nil
}
