package main

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/grading"
	"riskmap/geo/postgis"
)

// openRead opens the store at --read-database-url, or returns primary
// when there is none. Its schema must be the one this riskmap expects,
// like the primary's. The returned function closes what it opened.
func (c *serveConfig) openRead(ctx context.Context, primary *postgis.Store) (stores, func(), error) {
	if c.readURL == "" {
		return stores{primary: primary, read: primary}, func() {}, nil
	}
	read, err := postgis.Open(ctx, c.readURL, c.db.options())
	if err != nil {
		return stores{}, nil, fmt.Errorf("--read-database-url: %w", err)
	}
	if err := requireCurrentSchema(ctx, read); err != nil {
		read.Close()
		return stores{}, nil, fmt.Errorf("--read-database-url: %w", err)
	}
	return stores{primary: primary, read: read}, read.Close, nil
}

// splitFeatures serves the OGC API's lists and the extent from the read
// store, and single items from the primary: an item is the object card
// the map opens right after an assessment, and its ETag is what a write's
// If-Match names, so it must show the primary's latest.
type splitFeatures struct{ primary, read *postgis.Store }

func (f splitFeatures) Objects(ctx context.Context, c geo.Category, p geo.Page) ([]geo.Object, int, error) {
	return f.read.Objects(ctx, c, p)
}

func (f splitFeatures) Object(ctx context.Context, c geo.Category, id int64) (geo.Object, error) {
	return f.primary.Object(ctx, c, id)
}

func (f splitFeatures) Counties(ctx context.Context, p geo.Page) ([]geo.Division, int, error) {
	return f.read.Counties(ctx, p)
}

func (f splitFeatures) County(ctx context.Context, code string) (geo.Division, error) {
	return f.primary.County(ctx, code)
}

func (f splitFeatures) DivisionView(ctx context.Context, code string) (geo.DivisionView, error) {
	return f.read.DivisionView(ctx, code)
}

func (f splitFeatures) Extent(ctx context.Context) (orb.Bound, bool, error) {
	return f.read.Extent(ctx)
}

func (f splitFeatures) CollectionExtent(ctx context.Context, l geo.Layer) (orb.Bound, bool, error) {
	return f.read.CollectionExtent(ctx, l)
}

// splitGrading writes assessments and reads histories on the primary (a
// history read right after an assessment must hold it), and reads the
// regional statistics from the read store.
type splitGrading struct{ primary, read *postgis.Store }

func (g splitGrading) AssessVersion(ctx context.Context, c geo.Category, id int64, version string, inputs map[string]any, actor string) (geo.Assessment, error) {
	return g.primary.AssessVersion(ctx, c, id, version, inputs, actor)
}

func (g splitGrading) PreviewAssessment(ctx context.Context, c geo.Category, id int64, inputs map[string]any, actor string) (geo.Assessment, error) {
	return g.primary.PreviewAssessment(ctx, c, id, inputs, actor)
}

func (g splitGrading) Grading(ctx context.Context) (grading.Set, error) {
	return g.primary.Grading(ctx)
}

func (g splitGrading) History(ctx context.Context, c geo.Category, id int64, limit int) ([]geo.Assessment, error) {
	return g.primary.History(ctx, c, id, limit)
}

func (g splitGrading) GradingVersions(ctx context.Context) ([]geo.GradingVersion, error) {
	return g.primary.GradingVersions(ctx)
}

func (g splitGrading) ChangeGrading(ctx context.Context, ch geo.GradingChange, set grading.Set, actor string) (geo.GradingChanged, error) {
	return g.primary.ChangeGrading(ctx, ch, set, actor)
}

func (g splitGrading) Regions(ctx context.Context, level string, categories []geo.Category, bbox *orb.Bound) ([]geo.RegionStat, error) {
	return g.read.Regions(ctx, level, categories, bbox)
}

// bothHealth is healthy and ready when the primary and the read store
// both are (one store when they are the same).
type bothHealth struct{ primary, read *postgis.Store }

func (h bothHealth) Ping(ctx context.Context) error {
	if err := h.primary.Ping(ctx); err != nil || h.read == h.primary {
		return err
	}
	return h.read.Ping(ctx)
}

func (h bothHealth) Ready(ctx context.Context) error {
	if err := h.primary.Ready(ctx); err != nil || h.read == h.primary {
		return err
	}
	return h.read.Ready(ctx)
}
