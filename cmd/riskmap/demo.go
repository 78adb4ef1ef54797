package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"riskmap/geo"
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
	if users, err := store.Users(ctx); err == nil && len(users) == 0 {
		fmt.Fprintf(stdout, "no users yet: reading is open, changes need one, e.g.\n  printf '%%s\\n' 'a long password' | riskmap user add admin --role admin --data-dir %s\n", cfg.db.dataDir)
	}
	if *loadOnly {
		return nil
	}
	db, closeRead, err := cfg.openRead(ctx, store)
	if err != nil {
		return err
	}
	defer closeRead()
	return serve(ctx, &cfg, db, stdout, stderr)
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
	fmt.Fprintf(stdout, "demo data: %d objects, %d divisions, %d background features; changed %d objects, %d divisions, %d background features, removed %d (%s)\n",
		len(ds.Objects), len(ds.Divisions), len(ds.Context), st.Objects, st.Divisions, st.Context, st.Removed, time.Since(start).Round(time.Millisecond))
	rs, err := store.ImportRoads(ctx, demo.Source, ds.Roads, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo road network: %d roads, %d edges and %d vertices to route on\n", rs.Roads, rs.Edges, rs.Vertices)
	// Hazard zoning, once: an empty zoning gets the demo's (planners'
	// zones, and the demo's own once drawn, are left as they are).
	_, live, err := store.Zones(ctx, geo.ZoneQuery{Limit: 1})
	if err != nil {
		return err
	}
	_, gone, err := store.Zones(ctx, geo.ZoneQuery{Limit: 1, Deleted: true})
	if err != nil {
		return err
	}
	if live+gone == 0 {
		zs := demo.Zones(ds)
		n, err := store.ImportZones(ctx, zs, nil, geo.ZoneOptions{Repair: true, Clip: true}, "demo", false)
		if err != nil {
			return fmt.Errorf("load the demo's zones: %w", err)
		}
		fmt.Fprintf(stdout, "demo hazard zoning: %d zones\n", n)
	}
	// Hidden hazards at some enterprises and bridges, through the loop's
	// own steps; the ones already there are left as they are.
	plans := demo.Hazards(ds, time.Now().In(geo.Local))
	added := 0
	for _, p := range plans {
		if ok, err := store.HazardExists(ctx, p.Hazard.Code); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		id, err := store.ObjectID(ctx, p.Category, demo.Source, p.SourceID)
		if err != nil {
			return err
		}
		h := p.Hazard
		h.ObjectID = &id
		if h, err = store.ReportHazard(ctx, h, "demo"); err != nil {
			return fmt.Errorf("demo hazard %s: %w", p.Hazard.Code, err)
		}
		for _, st := range p.Steps {
			if _, err := store.StepHazard(ctx, h.ID, st, "demo"); err != nil {
				return fmt.Errorf("demo hazard %s: %s: %w", h.Code, st.Action, err)
			}
		}
		added++
	}
	fmt.Fprintf(stdout, "demo hidden hazards: %d, %d new\n", len(plans), added)
	return nil
}
