package postgis_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	"riskmap/tiles"
)

// listenerPID is the backend pid of the store's listener, once it has
// connected (and is not pid not).
func listenerPID(t *testing.T, admin *pgx.Conn, not int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		err := admin.QueryRow(context.Background(),
			`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND pid <> $2 AND query LIKE '%LISTEN riskmap_layers%'`,
			postgis.ListenApplicationName, not).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the listener did not connect within 10 s")
	return 0
}

// TestListenWakesTheCache: a write committed through SQL reaches a
// subscriber of the tile cache within 2 s (the poll is an hour: only the
// notification can bring it), and still does after the listener's
// connection was killed and came back.
func TestListenWakesTheCache(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := pgtest.NewDB(t)
	s, err := postgis.Open(ctx, db, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cache := &tiles.Cache{Renderer: s, Versions: s, MaxBytes: 1 << 20}
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	changes, stop := cache.Subscribe()
	defer stop()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	go cache.Watch(ctx, time.Hour, quiet)
	go s.ListenLayers(ctx, cache, quiet)

	admin, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	pid := listenerPID(t, admin, 0)

	expect := func(t *testing.T, layer string, write func()) {
		t.Helper()
		var want int64
		write()
		if err := admin.QueryRow(ctx, `SELECT version FROM layer_version WHERE layer = $1`, layer).Scan(&want); err != nil {
			t.Fatal(err)
		}
		timeout := time.After(2 * time.Second)
		for {
			select {
			case ch := <-changes:
				if ch.Layers[geo.Layer(layer)] >= want {
					return
				}
			case <-timeout:
				t.Fatalf("the change to %s (version %d) was not announced within 2 s", layer, want)
			}
		}
	}
	bump := func(layer string) func() {
		return func() {
			if _, err := admin.Exec(ctx, `SELECT bump_layer_versions(ARRAY[$1::text])`, layer); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("a committed write is announced", func(t *testing.T) {
		expect(t, "bridges", bump("bridges"))
	})
	t.Run("the payload is passed on", func(t *testing.T) {
		bump("shelters")()
		select {
		case ch := <-changes:
			if len(ch.Payloads) == 0 {
				t.Errorf("change %v carries no payload", ch)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no change within 2 s")
		}
	})
	t.Run("after the listener's connection was killed", func(t *testing.T) {
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
		// Written while the listener is away (or just back): the
		// refresh after reconnecting announces it.
		expect(t, "enterprises", bump("enterprises"))
		listenerPID(t, admin, pid)
		expect(t, "black_spots", bump("black_spots"))
	})
}
