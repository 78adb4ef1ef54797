package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
)

// fakeSource renders a tile as its address and the current version, and
// counts renders.
type fakeSource struct {
	mu      sync.Mutex
	version int64
	renders atomic.Int64
	// cancelled counts renderings whose context ended first.
	cancelled atomic.Int64
	slow      time.Duration
	tileSize  int
}

func (f *fakeSource) Tile(ctx context.Context, q geo.TileQuery) (geo.TileData, error) {
	f.renders.Add(1)
	t := q.Tile
	select {
	case <-time.After(f.slow):
	case <-ctx.Done():
		f.cancelled.Add(1)
		return geo.TileData{}, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b := make([]byte, f.tileSize) // incompressible, after the version
	r := rand.New(rand.NewPCG(uint64(t.X), uint64(t.Y)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0] = byte(f.version)
	return geo.TileData{MVT: append(b, []byte(fmt.Sprint(t.Z, t.X, t.Y))...)}, nil
}

func (f *fakeSource) LayerVersions(ctx context.Context) (map[geo.Layer]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return map[geo.Layer]int64{"enterprises": f.version, "counties": 1}, nil
}

func unzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(zr)
	return out
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{version: 1, tileSize: 100}
	c := &Cache{Renderer: src, Versions: src, MaxBytes: 1 << 20}
	layers := []geo.Layer{"enterprises", "counties"}
	at := maptile.New(10, 20, 8)

	t.Run("versions unknown: rendered, not kept", func(t *testing.T) {
		c.Get(ctx, geo.TileQuery{Layers: layers, Tile: at})
		c.Get(ctx, geo.TileQuery{Layers: layers, Tile: at})
		if n := src.renders.Load(); n != 2 {
			t.Errorf("%d renders, want 2", n)
		}
	})
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	src.renders.Store(0)
	first, err := c.Get(ctx, geo.TileQuery{Layers: layers, Tile: at})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a hit renders nothing", func(t *testing.T) {
		again, _ := c.Get(ctx, geo.TileQuery{Layers: layers, Tile: at})
		if src.renders.Load() != 1 || again.ETag != first.ETag || !bytes.Equal(again.Gzip, first.Gzip) {
			t.Errorf("renders %d, ETags %s %s", src.renders.Load(), first.ETag, again.ETag)
		}
	})
	t.Run("a new version is a miss with a new ETag", func(t *testing.T) {
		src.mu.Lock()
		src.version = 2
		src.mu.Unlock()
		c.Refresh(ctx)
		after, _ := c.Get(ctx, geo.TileQuery{Layers: layers, Tile: at})
		if src.renders.Load() != 2 || after.ETag == first.ETag || unzip(t, after.Gzip)[0] != 2 {
			t.Errorf("after a change: renders %d, ETag %s (was %s)", src.renders.Load(), after.ETag, first.ETag)
		}
	})
	t.Run("a layer that did not change keeps its tiles", func(t *testing.T) {
		n := src.renders.Load()
		c.Get(ctx, geo.TileQuery{Layers: []geo.Layer{"counties"}, Tile: at})
		c.Get(ctx, geo.TileQuery{Layers: []geo.Layer{"counties"}, Tile: at})
		if src.renders.Load() != n+1 {
			t.Errorf("counties tile rendered %d times", src.renders.Load()-n)
		}
	})
	t.Run("concurrent misses render once", func(t *testing.T) {
		src.slow = 50 * time.Millisecond
		defer func() { src.slow = 0 }()
		n := src.renders.Load()
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() { c.Get(ctx, geo.TileQuery{Layers: layers, Tile: maptile.New(11, 20, 8)}) })
		}
		wg.Wait()
		if got := src.renders.Load() - n; got != 1 {
			t.Errorf("10 concurrent misses rendered %d times", got)
		}
	})
	t.Run("bounded in bytes", func(t *testing.T) {
		small := &Cache{Renderer: &fakeSource{version: 1, tileSize: 50000}, Versions: src, MaxBytes: 200000}
		small.Refresh(ctx)
		for x := range 50 {
			small.Get(ctx, geo.TileQuery{Layers: layers, Tile: maptile.New(uint32(x), 0, 8)})
		}
		if small.Bytes() > 200000 || small.Evictions.Load() == 0 {
			t.Errorf("holds %d bytes after %d evictions, bound 200000", small.Bytes(), small.Evictions.Load())
		}
	})
	t.Run("the rendering stops when the last waiter goes", func(t *testing.T) {
		src.slow = time.Hour
		defer func() { src.slow = 0 }()
		at := maptile.New(12, 20, 8)
		c1, cancel1 := context.WithCancel(ctx)
		c2, cancel2 := context.WithCancel(ctx)
		errs := make(chan error, 2)
		go func() { _, err := c.Get(c1, geo.TileQuery{Layers: layers, Tile: at}); errs <- err }()
		go func() { _, err := c.Get(c2, geo.TileQuery{Layers: layers, Tile: at}); errs <- err }()
		waitFor(t, func() bool { return src.renders.Load() > 0 && flights(c) == 1 })
		before := src.cancelled.Load()
		cancel1()
		if err := <-errs; err == nil {
			t.Error("a request whose context ended got no error")
		}
		time.Sleep(50 * time.Millisecond)
		if src.cancelled.Load() != before {
			t.Error("the rendering stopped while another request still waited for it")
		}
		cancel2()
		<-errs
		// The cache counts the cancellation after the source has returned.
		waitFor(t, func() bool { return src.cancelled.Load() == before+1 && c.Cancelled.Load() >= 1 })
		if c.Cancelled.Load() != 1 {
			t.Errorf("Cancelled = %d, want 1", c.Cancelled.Load())
		}
		// The next request for the tile renders it afresh.
		src.slow = 0
		if _, err := c.Get(ctx, geo.TileQuery{Layers: layers, Tile: at}); err != nil {
			t.Errorf("after a cancelled rendering: %v", err)
		}
	})
}

func flights(c *Cache) int {
	c.flightMu.Lock()
	defer c.flightMu.Unlock()
	return len(c.flights)
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countingVersions reads the versions slowly and counts the reads.
type countingVersions struct {
	reads atomic.Int64
	slow  time.Duration
	v     atomic.Int64
}

func (c *countingVersions) LayerVersions(ctx context.Context) (map[geo.Layer]int64, error) {
	c.reads.Add(1)
	time.Sleep(c.slow)
	return map[geo.Layer]int64{"enterprises": c.v.Load()}, nil
}

func TestWakeCoalesces(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	vs := &countingVersions{slow: 100 * time.Millisecond}
	vs.v.Store(1)
	c := &Cache{Renderer: &fakeSource{}, Versions: vs, MaxBytes: 1 << 20}
	c.Refresh(ctx)
	changes, stop := c.Subscribe()
	defer stop()
	go c.Watch(ctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	vs.reads.Store(0)
	vs.v.Store(2)
	for i := range 100 {
		c.Wake(fmt.Sprint("burst ", i))
	}
	select {
	case ch := <-changes:
		if ch.Layers["enterprises"] != 2 || len(ch.Payloads) == 0 {
			t.Errorf("change %+v, want enterprises at 2 with the payloads", ch)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no change announced")
	}
	time.Sleep(300 * time.Millisecond) // the queued refresh, if any, runs
	if n := vs.reads.Load(); n < 1 || n > 2 {
		t.Errorf("100 wakes during a refresh read the versions %d times, want one in flight and at most one queued", n)
	}
}

// laggingReplica serves the primary's versions only after some reads.
type laggingReplica struct {
	primary *countingVersions
	reads   atomic.Int64
	lag     int64
}

func (r *laggingReplica) LayerVersions(ctx context.Context) (map[geo.Layer]int64, error) {
	if r.reads.Add(1) <= r.lag {
		return map[geo.Layer]int64{"enterprises": 1}, nil
	}
	return r.primary.LayerVersions(ctx)
}

func TestWakeWaitsForTheReplica(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	primary := &countingVersions{}
	primary.v.Store(1)
	replica := &laggingReplica{primary: primary}
	src := &fakeSource{version: 1, tileSize: 10}
	c := &Cache{Renderer: src, Versions: replica, Primary: primary, MaxBytes: 1 << 20}
	c.Refresh(ctx)
	changes, stop := c.Subscribe()
	defer stop()
	go c.Watch(ctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	primary.v.Store(2)
	replica.reads.Store(0)
	replica.lag = 4 // the replica still shows version 1 for four reads
	c.Wake("x")
	select {
	case ch := <-changes:
		if ch.Layers["enterprises"] != 2 {
			t.Errorf("change %+v, want enterprises at 2", ch)
		}
		if n := replica.reads.Load(); n != 5 {
			t.Errorf("replica read %d times, want until it caught up (5)", n)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the change was not announced once the replica caught up")
	}
}

// TestWakePayloads: a notification's payload reaches the subscribers
// with a change, also when its change's version was read by an earlier
// refresh (the notification came late); a burst past maxPayloads becomes
// "anywhere"; a subscriber that missed a change gets, with the next one,
// every layer since the last it got.
func TestWakePayloads(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{version: 1}
	c := &Cache{Renderer: src, Versions: src, MaxBytes: 1 << 20}
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	sub, stop := c.Subscribe()
	defer stop()
	next := func() Change {
		t.Helper()
		select {
		case ch := <-sub:
			return ch
		case <-time.After(time.Second):
			t.Fatal("no change")
		}
		return Change{}
	}
	setVersion := func(v int64) {
		src.mu.Lock()
		src.version = v
		src.mu.Unlock()
	}

	t.Run("the payload with its change", func(t *testing.T) {
		setVersion(2)
		c.Wake(`{"layers": ["enterprises"], "bbox": [1, 2, 3, 4]}`)
		if err := c.woken(ctx); err != nil {
			t.Fatal(err)
		}
		ch := next()
		if ch.Layers["enterprises"] != 2 || len(ch.Payloads) != 1 {
			t.Errorf("change %+v", ch)
		}
	})
	t.Run("a late payload is told all the same", func(t *testing.T) {
		setVersion(3)
		if err := c.Refresh(ctx); err != nil { // a poll reads the change first
			t.Fatal(err)
		}
		if ch := next(); ch.Layers["enterprises"] != 3 || ch.Payloads != nil {
			t.Errorf("the poll's change %+v", ch)
		}
		c.Wake(`{"layers": ["enterprises"], "bbox": [5, 6, 7, 8]}`)
		if err := c.woken(ctx); err != nil {
			t.Fatal(err)
		}
		ch := next()
		if ch.Layers["enterprises"] != 3 || len(ch.Payloads) != 1 || !strings.Contains(ch.Payloads[0], "[5, 6, 7, 8]") {
			t.Errorf("the late payload's change %+v", ch)
		}
	})
	t.Run("an object event without a version move", func(t *testing.T) {
		c.Wake(`{"kind": "position", "resource_id": 9}`)
		if err := c.woken(ctx); err != nil {
			t.Fatal(err)
		}
		ch := next()
		if len(ch.Layers) != 0 || len(ch.Payloads) != 1 || ch.Seq != 3 || !strings.Contains(ch.Payloads[0], `"position"`) {
			t.Errorf("change %+v, want the position alone, no layer", ch)
		}
		c.Wake(`{"layers": ["enterprises"], "bbox": [1, 2, 3, 4]}`) // a late layers payload names no layer that moved
		if err := c.woken(ctx); err != nil {
			t.Fatal(err)
		}
		if ch := next(); ch.Layers["enterprises"] != 3 {
			t.Errorf("a late layers payload: %+v", ch)
		}
		if err := c.Refresh(ctx); err != nil { // a poll with nothing moved tells nothing
			t.Fatal(err)
		}
		select {
		case ch := <-sub:
			t.Errorf("a poll that found nothing told %+v", ch)
		default:
		}
	})
	t.Run("a burst past the bound is anywhere", func(t *testing.T) {
		setVersion(4)
		for i := range maxPayloads + 10 {
			c.Wake(fmt.Sprintf(`{"layers": ["enterprises"], "bbox": [%d, 0, %d, 1]}`, i, i))
		}
		if err := c.woken(ctx); err != nil {
			t.Fatal(err)
		}
		ch := next()
		if len(ch.Payloads) > maxPayloads+1 || !slices.Contains(ch.Payloads, overflowPayload) {
			t.Errorf("%d payloads, overflow marked %v", len(ch.Payloads), slices.Contains(ch.Payloads, overflowPayload))
		}
	})
	t.Run("a subscriber that missed a change", func(t *testing.T) {
		for v := int64(5); v < 5+20; v++ { // more than its buffer holds
			setVersion(v)
			c.Wake(`{"layers": ["enterprises"], "bbox": [0, 0, 1, 1]}`)
			if err := c.woken(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for len(sub) > 0 {
			<-sub
		}
		setVersion(30)
		c.Wake(`{"layers": ["enterprises"], "bbox": [0, 0, 1, 1]}`)
		if err := c.woken(ctx); err != nil {
			t.Fatal(err)
		}
		ch := next()
		if ch.Layers["enterprises"] != 30 || ch.Payloads != nil {
			t.Errorf("after missing changes: %+v, want the layers since and no payloads (anywhere)", ch)
		}
	})
}
