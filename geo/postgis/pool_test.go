package postgis_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo/postgis"
	"riskmap/geo/postgis/cluster"
)

func TestPoolSize(t *testing.T) {
	tests := []struct {
		name  string
		want  int
		lim   postgis.ServerLimits
		share float64
		out   int
	}{
		{"plenty free: what is wanted", 8, postgis.ServerLimits{MaxConnections: 100, Reserved: 3, InUse: 10}, 0.5, 8},
		{"half of what is free", 64, postgis.ServerLimits{MaxConnections: 100, Reserved: 3, InUse: 17}, 0.5, 40},
		{"rounded down", 64, postgis.ServerLimits{MaxConnections: 20, Reserved: 3, InUse: 2}, 0.5, 7},
		{"all of it with share 1", 64, postgis.ServerLimits{MaxConnections: 20, Reserved: 3, InUse: 2}, 1, 15},
		{"a small share", 64, postgis.ServerLimits{MaxConnections: 100, Reserved: 3, InUse: 7}, 0.1, 9},
		{"never below 2", 8, postgis.ServerLimits{MaxConnections: 10, Reserved: 3, InUse: 6}, 0.5, 2},
		{"nothing free: still 2", 8, postgis.ServerLimits{MaxConnections: 10, Reserved: 3, InUse: 9}, 0.5, 2},
		{"a cap of 1 is raised to 2", 1, postgis.ServerLimits{MaxConnections: 100}, 0.5, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := postgis.PoolSize(tc.want, tc.lim, tc.share); got != tc.out {
				t.Errorf("PoolSize(%d, %+v, %v) = %d, want %d", tc.want, tc.lim, tc.share, got, tc.out)
			}
		})
	}
}

// TestPoolSizedFromTheServer runs a cluster of its own with only 20
// connections, keeps 5 of them busy, and checks what Open chooses.
func TestPoolSizedFromTheServer(t *testing.T) {
	ctx := context.Background()
	c, err := cluster.Open(ctx, cluster.Options{Dir: filepath.Join(t.TempDir(), "data"),
		Settings: map[string]string{"max_connections": "20", "superuser_reserved_connections": "3"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var held []*pgx.Conn
	defer func() {
		for _, h := range held {
			h.Close(ctx)
		}
	}()
	hold := func(n int) {
		for range n {
			h, err := pgx.Connect(ctx, c.ConnString())
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, h)
		}
	}
	// settle waits until only the held connections are open: a closed
	// store's backends take a moment to go.
	settle := func() {
		t.Helper()
		for range 200 {
			var n int
			if err := held[0].QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == len(held) {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("connections other than the %d held stay open", len(held))
	}
	hold(5)
	tests := []struct {
		name   string
		opts   postgis.Options
		maxOut int
	}{
		{"half of the 12 free", postgis.Options{MaxConns: 100}, 6},
		{"the configured cap when lower", postgis.Options{MaxConns: 3}, 3},
		{"a larger share", postgis.Options{MaxConns: 100, ConnShare: 0.75}, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			settle()
			s, err := postgis.Open(ctx, c.ConnString(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sz := s.PoolSizing()
			if sz.Limits.MaxConnections != 20 || sz.Limits.Reserved != 3 || sz.Limits.InUse != 5 || sz.MaxConns != tc.maxOut {
				t.Errorf("sizing %+v, want max_connections 20, 3 reserved, 5 in use, pool %d", sz, tc.maxOut)
			}
			if got := s.PoolStats()["max"]; got != float64(tc.maxOut) {
				t.Errorf("pool max %v, want %d", got, tc.maxOut)
			}
		})
	}
	t.Run("almost full: 2", func(t *testing.T) {
		hold(10) // 15 in use: 2 free
		settle()
		s, err := postgis.Open(ctx, c.ConnString(), postgis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if sz := s.PoolSizing(); sz.MaxConns != 2 || sz.Limits.InUse != 15 {
			t.Errorf("sizing %+v, want a pool of 2 with 15 in use", sz)
		}
	})
	t.Run("a share outside (0, 1] is refused", func(t *testing.T) {
		if _, err := postgis.Open(ctx, c.ConnString(), postgis.Options{ConnShare: 1.5}); err == nil {
			t.Error("share 1.5 accepted")
		}
	})
}
