package tiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"

	"riskmap/geo"
)

// Versioner reports the data version of every layer; *postgis.Store is
// one. A layer's version moves whenever its data changes.
type Versioner interface {
	LayerVersions(ctx context.Context) (map[geo.Layer]int64, error)
}

// Tile is a rendered tile as the cache keeps it: gzipped, with a strong
// ETag that names the data it was made from.
type Tile struct {
	Gzip []byte
	// Brotli is the same tile brotli-compressed, for tiles of at least
	// BrotliMin bytes (smaller ones gain nothing worth the time); nil
	// otherwise.
	Brotli []byte
	ETag   string
	// Truncated names the layers whose points were capped (the most
	// severe kept).
	Truncated []geo.Layer
}

// Cache keeps rendered tiles, gzipped, up to a number of bytes (least
// recently used first out). A tile is keyed by its layers, their data
// versions and its address, so that a change to a layer's data makes
// every tile of it a miss at once: nothing is served stale once the
// cache has seen the new version. Watch reads the versions again when
// woken (Wake: a notification from the database) and, as a fallback,
// every interval; several riskmap instances sharing one database each
// see a change as soon as they are told of it.
//
// Versions must read the same database the Renderer renders from (a
// replica, say): a tile is cached under the versions the cache read, so
// versions read from a primary while tiles come from a replica that lags
// behind it would cache old data under a new version, and keep serving it
// until the next change. A replica replays the primary's commits in
// order, and a write moves its layers' versions in its own transaction:
// once the replica shows a version, it also shows the data of it.
type Cache struct {
	Renderer Renderer
	Versions Versioner
	// Primary, when set, reads the versions where the writes happen (the
	// primary, when Versions reads a replica). After a wake the cache
	// reads Versions again, every few tens of milliseconds for up to
	// CatchUp (default 2 s), until it has caught up with Primary, so that
	// the change is announced once the replica can serve it. Nil: the
	// Versions are the primary's.
	Primary   Versioner
	CatchUp   time.Duration
	MaxBytes  int64
	versions  atomic.Pointer[map[geo.Layer]int64]
	flightMu  sync.Mutex
	flights   map[string]*flight
	wakeOnce  sync.Once
	wake      chan struct{} // holds one queued refresh
	payloadMu sync.Mutex
	payloads  []string // of the wakes not yet answered
	mu        sync.Mutex
	lru       *list.List // of *entry, most recent first
	entries   map[string]*list.Element
	bytes     int64
	subsMu    sync.Mutex
	subs      map[chan Change]*subscriber
	Hits      atomic.Int64
	Misses    atomic.Int64
	Evictions atomic.Int64
	// Truncated counts tiles rendered with a capped layer; Cancelled,
	// renderings stopped because every request for them went away.
	Truncated atomic.Int64
	Cancelled atomic.Int64
}

type entry struct {
	key  string
	tile Tile
}

// Change is what a refresh found moved: the layers whose data changed,
// with their new versions. Seq is the highest version of any layer (the
// versions come from one sequence): an event id that only grows. Layers
// are empty in a change that is only object events (a position fix where
// the resource already was): its Payloads say what happened.
type Change struct {
	Seq    int64
	Layers map[geo.Layer]int64
	// Payloads are the raw payloads of the notifications (see Wake) this
	// refresh answered, unparsed, oldest first; nil for a poll.
	// Notifications decodes them.
	Payloads []string
	notes    []Notification
}

// Refresh reads the layers' versions now, and tells the subscribers
// which moved.
func (c *Cache) Refresh(ctx context.Context) error {
	_, _, err := c.refresh(ctx, nil, false)
	return err
}

// refresh is Refresh, passing payloads on with the change; it returns the
// versions read and whether it told the subscribers of a change (and so
// passed the payloads on). With force, payloads that come without a
// version move (their notification came after an earlier refresh had
// already read their change's versions) are passed on all the same, for
// the layers they name, and object events with no layer at all (a Change
// whose Layers are empty).
func (c *Cache) refresh(ctx context.Context, payloads []string, force bool) (map[geo.Layer]int64, bool, error) {
	v, err := c.Versions.LayerVersions(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("read layer versions: %w", err)
	}
	return v, c.publish(v, payloads, force), nil
}

// publish makes v the versions, and tells the subscribers what moved
// (see refresh); it returns whether it told them of a change.
func (c *Cache) publish(v map[geo.Layer]int64, payloads []string, force bool) bool {
	old := c.versions.Swap(&v)
	if old == nil {
		return false
	}
	ch := Change{Layers: map[geo.Layer]int64{}, Payloads: payloads, notes: parseAll(payloads)}
	for l, n := range v {
		ch.Seq = max(ch.Seq, n)
		if (*old)[l] != n {
			ch.Layers[l] = n
		}
	}
	if len(ch.Layers) == 0 && force && len(payloads) > 0 {
		for _, note := range ch.notes {
			for _, l := range note.Layers {
				if n, ok := v[l]; ok {
					ch.Layers[l] = n
				}
			}
		}
	}
	if len(ch.Layers) == 0 && !(force && hasObjectEvent(ch.notes)) {
		return false
	}
	c.subsMu.Lock()
	for sub, st := range c.subs {
		out := ch
		if st.missed {
			// It missed a change: everything since the last one it got,
			// and nowhere in particular.
			out = c.since(v, st.seq)
			out.Payloads = nil
		}
		select {
		case sub <- out:
			st.missed, st.seq = false, out.Seq
		default: // it does not keep up: the next change it gets covers this one
			st.missed = true
		}
	}
	c.subsMu.Unlock()
	return true
}

// hasObjectEvent reports whether any of notes is an object event (a
// position fix, say), which a subscriber is told of even when no layer's
// version moved with it: a fix where the resource already was moves
// nothing on the map.
func hasObjectEvent(notes []Notification) bool {
	for _, n := range notes {
		if n.Kind != "" {
			return true
		}
	}
	return false
}

// maxPayloads bounds the payloads kept between two refreshes. Past it
// they are dropped for one that says "anywhere": a change whose place is
// not known.
const maxPayloads = 256

// overflowPayload stands for dropped payloads: layers unknown, anywhere.
const overflowPayload = `{"layers": [], "bbox": null}`

// Wake asks Watch to read the versions again at once: the database said
// that data changed (payload is the notification's, passed on unparsed in
// the Change), or, with payload "", that notifications may have been
// missed (a listener that reconnected). It never blocks: a burst of wakes
// while a refresh runs makes one more refresh after it, not one each.
func (c *Cache) Wake(payload string) {
	if payload != "" {
		c.payloadMu.Lock()
		if len(c.payloads) >= maxPayloads {
			c.payloads = append(c.payloads[:0], overflowPayload)
		}
		c.payloads = append(c.payloads, payload)
		c.payloadMu.Unlock()
	}
	select {
	case c.wakeCh() <- struct{}{}:
	default: // one is queued already; it will see this change too
	}
}

func (c *Cache) wakeCh() chan struct{} {
	c.wakeOnce.Do(func() { c.wake = make(chan struct{}, 1) })
	return c.wake
}

// takePayloads takes the payloads that came since it was last called.
func (c *Cache) takePayloads() []string {
	c.payloadMu.Lock()
	defer c.payloadMu.Unlock()
	p := c.payloads
	c.payloads = nil
	return p
}

// woken answers a Wake: it refreshes, and while Primary's versions are
// ahead of what Versions reads (a replica still replaying), refreshes
// again every 50 ms, for up to CatchUp. The payloads go with the first
// refresh that tells of a change.
func (c *Cache) woken(ctx context.Context) error {
	var want map[geo.Layer]int64
	if c.Primary != nil {
		var err error
		if want, err = c.Primary.LayerVersions(ctx); err != nil {
			want = nil // cannot tell how far to wait: one refresh, as without a replica
		}
	}
	wait := c.CatchUp
	if wait <= 0 {
		wait = 2 * time.Second
	}
	deadline := time.Now().Add(wait)
	var pending []string
	for {
		v, err := c.Versions.LayerVersions(ctx)
		if err != nil {
			return fmt.Errorf("read layer versions: %w", err)
		}
		// Taken after the versions were read: a payload whose change
		// these versions lack only widens this change's area, while a
		// change these versions hold whose payload comes later is told
		// again with it (force, next wake).
		pending = append(pending, c.takePayloads()...)
		done := behind(v, want) == "" || time.Now().After(deadline)
		if c.publish(v, pending, done) {
			pending = nil
		}
		if done {
			// Payloads still pending name no layer that has a version:
			// nothing to tell. (A change whose version comes later, from
			// a replica slower than CatchUp, is told by a later refresh,
			// without a place: anywhere.)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// behind names a layer whose version in got is below want's, or "".
func behind(got, want map[geo.Layer]int64) geo.Layer {
	for l, n := range want {
		if got[l] < n {
			return l
		}
	}
	return ""
}

// Since is what changed after seq (a Change's Seq a client saw last):
// every layer whose version is above it.
func (c *Cache) Since(seq int64) Change {
	if vp := c.versions.Load(); vp != nil {
		return c.since(*vp, seq)
	}
	return Change{Layers: map[geo.Layer]int64{}}
}

func (c *Cache) since(v map[geo.Layer]int64, seq int64) Change {
	ch := Change{Layers: map[geo.Layer]int64{}}
	for l, n := range v {
		ch.Seq = max(ch.Seq, n)
		if n > seq {
			ch.Layers[l] = n
		}
	}
	return ch
}

// Subscribe returns a channel of the changes the refreshes find, and a
// function that ends the subscription.
func (c *Cache) Subscribe() (<-chan Change, func()) {
	ch := make(chan Change, 8)
	c.subsMu.Lock()
	if c.subs == nil {
		c.subs = map[chan Change]*subscriber{}
	}
	st := &subscriber{}
	if vp := c.versions.Load(); vp != nil {
		st.seq = c.since(*vp, 0).Seq
	}
	c.subs[ch] = st
	c.subsMu.Unlock()
	return ch, func() {
		c.subsMu.Lock()
		delete(c.subs, ch)
		c.subsMu.Unlock()
	}
}

// subscriber is what the cache knows of one subscription (guarded by
// subsMu): the last change it got, and whether it missed one since.
type subscriber struct {
	seq    int64
	missed bool
}

// Watch refreshes the versions when woken (Wake) and every interval
// until ctx ends, one refresh at a time; a failed read keeps the last
// ones (logged when it starts and when it ends).
func (c *Cache) Watch(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false // say so once when the reads start failing, once when they recover
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err = c.Refresh(ctx)
		case <-c.wakeCh():
			err = c.woken(ctx)
		}
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			log.Warn("tile cache: cannot read the layers' versions; serving what it has", "err", err)
			failing = true
		case err == nil && failing:
			log.Info("tile cache: reading the layers' versions again")
			failing = false
		}
	}
}

// Get returns the tile q asks for, from the cache or rendered (once,
// however many ask for it at the same time). The rendering goes on while
// anyone waits for it, and is cancelled (its PostgreSQL query with it)
// when the last of them goes away.
func (c *Cache) Get(ctx context.Context, q geo.TileQuery) (Tile, error) {
	key, ok := c.key(q)
	if !ok { // versions not known yet: render, keep nothing
		d, err := c.Renderer.Tile(ctx, q)
		if err != nil {
			return Tile{}, err
		}
		return compress(d, "")
	}
	if tile, ok := c.lookup(key); ok {
		c.Hits.Add(1)
		return tile, nil
	}
	c.Misses.Add(1)
	return c.render(ctx, key, q)
}

// render joins the rendering of key under way, or starts it.
func (c *Cache) render(ctx context.Context, key string, q geo.TileQuery) (Tile, error) {
	c.flightMu.Lock()
	if c.flights == nil {
		c.flights = map[string]*flight{}
	}
	f, ok := c.flights[key]
	if ok {
		f.waiters++
	} else {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renderTimeout)
		f = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
		c.flights[key] = f
		go c.run(rctx, key, q, f)
	}
	c.flightMu.Unlock()
	select {
	case <-f.done:
		return f.tile, f.err
	case <-ctx.Done():
		c.flightMu.Lock()
		f.waiters--
		if f.waiters == 0 {
			// Nobody wants it any more: stop the query, and let the next
			// request for this tile start afresh.
			f.cancel()
			if c.flights[key] == f {
				delete(c.flights, key)
			}
		}
		c.flightMu.Unlock()
		return Tile{}, ctx.Err()
	}
}

// renderTimeout bounds one rendering, whoever waits for it.
const renderTimeout = 30 * time.Second

// flight is one rendering of a tile and the requests waiting for it.
type flight struct {
	done    chan struct{}
	tile    Tile
	err     error
	waiters int // guarded by Cache.flightMu
	cancel  context.CancelFunc
}

func (c *Cache) run(ctx context.Context, key string, q geo.TileQuery, f *flight) {
	defer f.cancel()
	d, err := c.Renderer.Tile(ctx, q)
	if err == nil {
		f.tile, err = compress(d, key)
	}
	if err == nil {
		c.store(key, f.tile)
		if len(d.Truncated) > 0 {
			c.Truncated.Add(1)
		}
	} else if ctx.Err() != nil {
		c.Cancelled.Add(1)
	}
	f.err = err
	c.flightMu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	c.flightMu.Unlock()
	close(f.done)
}

// key names the tile and the data versions of its layers; false when the
// versions are not known.
func (c *Cache) key(q geo.TileQuery) (string, bool) {
	vp := c.versions.Load()
	if vp == nil {
		return "", false
	}
	// Built by appending: this runs for every tile served, hits included.
	b := make([]byte, 0, 96)
	for _, l := range q.Layers {
		v, ok := (*vp)[l]
		if !ok {
			return "", false
		}
		b = append(b, l...)
		b = append(b, '@')
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ',')
	}
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(q.Tile.Z), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(q.Tile.X), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(q.Tile.Y), 10)
	// The drawing settings are the same for every request of one server,
	// but instances sharing a cache tier may differ.
	b = append(b, "/c"...)
	b = strconv.AppendInt(b, int64(q.ClusterBelow), 10)
	b = append(b, "/m"...)
	b = strconv.AppendInt(b, int64(q.MaxFeatures), 10)
	if k := q.Filter.Key(); k != "" {
		b = append(b, '?')
		b = append(b, k...)
	}
	return string(b), true
}

func (c *Cache) lookup(key string) (Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return Tile{}, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*entry).tile, true
}

func (c *Cache) store(key string, tile Tile) {
	size := int64(len(tile.Gzip) + len(tile.Brotli) + len(key) + 64)
	if size > c.MaxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru == nil {
		c.lru, c.entries = list.New(), map[string]*list.Element{}
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	c.entries[key] = c.lru.PushFront(&entry{key: key, tile: tile})
	c.bytes += size
	for c.bytes > c.MaxBytes {
		last := c.lru.Back()
		e := last.Value.(*entry)
		c.lru.Remove(last)
		delete(c.entries, e.key)
		c.bytes -= int64(len(e.tile.Gzip) + len(e.tile.Brotli) + len(e.key) + 64)
		c.Evictions.Add(1)
	}
}

// Stats reports hits, misses, evictions and bytes held, for metrics.
func (c *Cache) Stats() map[string]float64 {
	return map[string]float64{"hits": float64(c.Hits.Load()), "misses": float64(c.Misses.Load()),
		"evictions": float64(c.Evictions.Load()), "bytes": float64(c.Bytes()),
		"truncated": float64(c.Truncated.Load()), "cancelled": float64(c.Cancelled.Load())}
}

// Bytes is what the cache holds now.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// gzipWriters are reused: each holds several hundred KiB of state.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// BrotliMin is the smallest tile (uncompressed) that is also kept
// brotli-compressed.
const BrotliMin = 8 << 10

// compress gzips a tile (and brotli-compresses a large one) and names it:
// the ETag hashes the key (the layers, their versions and the address)
// when there is one, else the bytes.
func compress(d geo.TileData, key string) (Tile, error) {
	b := d.MVT
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return Tile{}, err
	}
	if err := zw.Close(); err != nil {
		return Tile{}, err
	}
	h := sha256.New()
	if key != "" {
		h.Write([]byte(key))
	} else {
		h.Write(b)
	}
	t := Tile{Gzip: buf.Bytes(), ETag: `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`, Truncated: d.Truncated}
	if len(b) >= BrotliMin {
		var br bytes.Buffer
		bw := brotli.NewWriterLevel(&br, 5)
		if _, err := bw.Write(b); err != nil {
			return Tile{}, err
		}
		if err := bw.Close(); err != nil {
			return Tile{}, err
		}
		t.Brotli = br.Bytes()
	}
	return t, nil
}
