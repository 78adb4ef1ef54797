package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
	"riskmap/importers/demo"
)

// openStore opens a store on conn, closed when the test ends.
func openStore(t *testing.T, conn string) *postgis.Store {
	t.Helper()
	s, err := postgis.Open(context.Background(), conn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// loadDemoData loads the Lishui demo through s.
func loadDemoData(t *testing.T, s *postgis.Store) {
	t.Helper()
	ds, err := demo.Lishui()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), postgis.Dataset{Source: demo.Source, Divisions: ds.Divisions, Objects: ds.Objects}); err != nil {
		t.Fatal(err)
	}
}

// startInstance serves db as riskmap serve wires it, with the default
// flags but a version poll of an hour: whatever reaches it within the
// test came by notification.
func startInstance(t *testing.T, db stores) *httptest.Server {
	t.Helper()
	var cfg serveConfig
	fs := newFlagSet("serve", serveHelp, io.Discard)
	cfg.register(fs, env())
	if err := cfg.parse(fs, []string{"--version-poll", "1h"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h, _ := newHandler(ctx, &cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(h.CloseStreams) // first: Close waits for the streams
	return srv
}

// plannerToken is an API token of a new planner.
func plannerToken(t *testing.T, s *postgis.Store) string {
	t.Helper()
	ctx := context.Background()
	hash, err := access.HashPassword("a password for the tests")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "planner1", "", access.Planner, hash, ""); err != nil {
		t.Fatal(err)
	}
	_, _, tok, err := s.CreateToken(ctx, "planner1-key", "planner1", access.Planner, "", time.Now().Add(time.Hour), "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// httpGet fetches url; it fails the test on anything but 200.
func httpGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v %s", url, resp.StatusCode, err, b)
	}
	return resp, b
}

// unassessed finds an unassessed enterprise through base: its id and the
// tile at zoom 14 that holds it.
func unassessed(t *testing.T, base string) (int64, maptile.Tile) {
	t.Helper()
	_, body := httpGet(t, base+"/ogc/collections/enterprises/items?limit=1000")
	var fc struct {
		Features []struct {
			ID       int64 `json:"id"`
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if f.Properties["grade"] == "unassessed" {
			return f.ID, maptile.At(f.Geometry.Coordinates, 14)
		}
	}
	t.Fatal("no unassessed enterprise")
	return 0, maptile.Tile{}
}

// events listens to base's event stream until the test ends; each
// "layers" event's data comes on the channel.
func events(t *testing.T, base string) <-chan map[string]map[string]int64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("events: %v %v", resp, err)
	}
	out := make(chan map[string]map[string]int64, 16)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "layers":
				var m struct {
					Layers map[string]int64 `json:"layers"`
				}
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m) == nil {
					out <- map[string]map[string]int64{"layers": m.Layers}
				}
			}
		}
	}()
	return out
}

// gradeInTile is the grade of object id in the enterprises tile of base
// at tile, and the tile's ETag.
func gradeInTile(t *testing.T, base string, tile maptile.Tile, id int64) (grade, etag string) {
	t.Helper()
	resp, body := httpGet(t, fmt.Sprintf("%s/tiles/enterprises/%d/%d/%d.mvt", base, tile.Z, tile.X, tile.Y))
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		for _, f := range l.Features {
			if fmt.Sprint(f.ID) == fmt.Sprint(id) {
				return f.Properties.MustString("grade"), resp.Header.Get("ETag")
			}
		}
	}
	t.Fatalf("object %d is not in tile %v", id, tile)
	return "", ""
}

// assess grades object id red through base.
func assess(t *testing.T, base, token string, id int64) {
	t.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", base, id),
		strings.NewReader(`{"inputs": {"lec_l": 6, "lec_e": 6, "lec_c": 15}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("assess %d: %d %s", id, resp.StatusCode, b)
	}
}

// awaitLayer waits up to 2 s for an event announcing enterprises.
func awaitLayer(t *testing.T, ev <-chan map[string]map[string]int64, layer string) {
	t.Helper()
	timeout := time.After(2 * time.Second)
	for {
		select {
		case m := <-ev:
			if m["layers"][layer] > 0 {
				return
			}
		case <-timeout:
			t.Fatalf("no event announced %s within 2 s", layer)
		}
	}
}

// TestTwoInstances: two riskmap servers, each with its own store, on one
// database. An assessment made through A is announced on B's event stream
// within 2 s, by notification (the poll is an hour), and B's next tile of
// the place has a new ETag and the new grade.
func TestTwoInstances(t *testing.T) {
	conn := pgtest.NewDB(t)
	storeA, storeB := openStore(t, conn), openStore(t, conn)
	loadDemoData(t, storeA)
	token := plannerToken(t, storeA)
	a := startInstance(t, stores{primary: storeA, read: storeA})
	b := startInstance(t, stores{primary: storeB, read: storeB})

	id, tile := unassessed(t, b.URL)
	before, etag := gradeInTile(t, b.URL, tile, id)
	if again, etag2 := gradeInTile(t, b.URL, tile, id); before != "unassessed" || again != before || etag2 != etag {
		t.Fatalf("before: grade %s then %s, ETag %s then %s", before, again, etag, etag2)
	}
	ev := events(t, b.URL)
	assess(t, a.URL, token, id)
	awaitLayer(t, ev, "enterprises")
	after, etagAfter := gradeInTile(t, b.URL, tile, id)
	if after != "red" || etagAfter == etag {
		t.Errorf("B's tile after the assessment: grade %s, ETag %s (was %s), want red and a new ETag", after, etagAfter, etag)
	}
}

// TestReadReplica serves tiles from a streaming replica made with
// pg_basebackup. While the replica's replay is paused, an assessment
// through the server is on the primary (its history, its item) but not
// announced, and the tile stays the old one under its old ETag: nothing
// rendered from the lagging replica is cached under the new version. Once
// replay resumes the change is announced within 2 s, and the next tile
// has the new grade under a new ETag.
func TestReadReplica(t *testing.T) {
	ctx := context.Background()
	primaryConn, replicaConn := pgtest.NewReplicated(t)
	primary, read := openStore(t, primaryConn), openStore(t, replicaConn)
	loadDemoData(t, primary)
	token := plannerToken(t, primary)
	caughtUp := func() bool {
		want, err := primary.LayerVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := read.LayerVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got) == fmt.Sprint(want)
	}
	for deadline := time.Now().Add(10 * time.Second); !caughtUp(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the replica has not replayed the demo after 10 s")
		}
	}
	srv := startInstance(t, stores{primary: primary, read: read})
	id, tile := unassessed(t, srv.URL)
	before, etag := gradeInTile(t, srv.URL, tile, id)
	ev := events(t, srv.URL)

	admin, err := pgx.Connect(ctx, replicaConn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	assess(t, srv.URL, token, id)
	_, body := httpGet(t, fmt.Sprintf("%s/api/v1/objects/%d/history", srv.URL, id))
	if !strings.Contains(string(body), `"grade":"red"`) {
		t.Errorf("the history right after the assessment (from the primary) lacks it: %s", body)
	}
	time.Sleep(500 * time.Millisecond) // the notification has come; the replica has not replayed
	select {
	case m := <-ev:
		t.Errorf("announced %v before the replica had the change", m)
	default:
	}
	if grade, e := gradeInTile(t, srv.URL, tile, id); grade != before || e != etag {
		t.Errorf("while the replica lags: grade %s, ETag %s; want the old tile (%s, %s)", grade, e, before, etag)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	awaitLayer(t, ev, "enterprises")
	after, etagAfter := gradeInTile(t, srv.URL, tile, id)
	if after != "red" || etagAfter == etag {
		t.Errorf("after the replica caught up: grade %s, ETag %s (was %s), want red and a new ETag", after, etagAfter, etag)
	}
}
