package postgis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
)

// TestCancelStopsTheServersQuery: a tile whose request goes away stops
// its query in PostgreSQL too, not only on this side. The query is made
// to wait on a lock, which a backend would otherwise wait out whether
// its client is there or not.
func TestCancelStopsTheServersQuery(t *testing.T) {
	ctx := context.Background()
	s, conns := storeWithConns(t, 2)
	locker, watcher := conns[0], conns[1]
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE risk_object IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	waiting := func() int {
		var n int
		if err := watcher.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = 'riskmap' AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := s.Tile(rctx, geo.TileQuery{Layers: []geo.Layer{geo.Layer(geo.Enterprises)}, Tile: maptile.New(13650, 6960, 14)})
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the tile's query never waited on the lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) && err == nil {
		t.Errorf("a cancelled tile: %v, want an error", err)
	}
	deadline = time.Now().Add(3 * time.Second)
	for waiting() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("3 s after the request went away, its query still waits in PostgreSQL")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
