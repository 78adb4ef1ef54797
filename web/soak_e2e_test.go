//go:build soak

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/memory"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"riskmap/geo/access"
)

// pageMemory is the page's JavaScript heap after a full collection, and
// its DOM's counters.
type pageMemory struct {
	At        time.Duration
	HeapMB    float64
	Nodes     int64
	Listeners int64
	Alerts    int
	Events    int
}

func measure(ctx context.Context, since time.Time) (pageMemory, error) {
	return chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (pageMemory, error) {
		var m pageMemory
		if _, err := cdp.Call(ctx, t, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return m, err
		}
		h, err := cdp.Call(ctx, t, runtime.GetHeapUsage, cdp.Empty{})
		if err != nil {
			return m, err
		}
		d, err := cdp.Call(ctx, t, memory.GetDOMCounters, cdp.Empty{})
		if err != nil {
			return m, err
		}
		m.At, m.HeapMB, m.Nodes, m.Listeners = time.Since(since).Round(time.Second), h.UsedSize/(1<<20), d.Nodes, d.JsEventListeners
		return m, nil
	})
}

// TestWallSoak (make soak; not part of make test): the wall runs for
// RISKMAP_SOAK_MINUTES (default 30) while changes stream in as on a busy
// day: grades up and down every 2 s, a fleet of 20 teams reporting
// positions, an incident reported, assigned and closed every minute, the
// alerts acknowledged every 5 minutes, the connections dropped at minutes
// 5, 15, 25 (the wall must reconnect by itself). Once a minute the page's heap is
// measured after a full garbage collection. The heap of the last five
// minutes must not exceed that of minutes 3 to 7 by more than 15% (and
// 3 MB); DOM nodes likewise. The figures are printed, and written to
// RISKMAP_SOAK_REPORT when set.
func TestWallSoak(t *testing.T) {
	minutes := 30
	if v := os.Getenv("RISKMAP_SOAK_MINUTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			t.Fatalf("RISKMAP_SOAK_MINUTES=%q: want a whole number of minutes, at least 10", v)
		}
		minutes = n
	}
	store, conn := writableConn(t)
	srv, _ := cachedServer(t, store, 10*time.Second)
	cctx := context.Background()
	planner := newToken(t, store, access.Planner)
	dispatcher := newToken(t, store, access.Dispatcher)
	var objects, teams []int64
	for q, dst := range map[string]*[]int64{
		`SELECT id FROM risk_object WHERE category = 'enterprises' AND retired_at IS NULL ORDER BY id LIMIT 200`:                                             &objects,
		`SELECT id FROM risk_object WHERE category = 'rescue_resources' AND retired_at IS NULL AND attributes->>'status' = 'available' ORDER BY id LIMIT 20`: &teams,
	} {
		rows, err := conn.Query(cctx, q)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) == 0 {
			t.Fatalf("%s: %v (%d rows)", q, err, len(ids))
		}
		*dst = ids
	}

	ctx := newBrowser(t, 1920, 1080)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(minutes+10)*time.Minute)
	defer cancel()
	p := openWall(t, ctx, srv.URL, 1920, 1080)

	// The stream of changes, until the soak ends.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	failures := make(chan string, 100)
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		rnd := rand.New(rand.NewPCG(1, 2))
		do := func(method, url, body, token string) (int, string) {
			var resp *http.Response
			var err error
			// Once more when the connection broke: the soak itself drops
			// every connection now and then, this client's too.
			for try := 0; try < 2 && (try == 0 || err != nil); try++ {
				req, _ := http.NewRequestWithContext(wctx, method, url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err = http.DefaultClient.Do(req)
			}
			if err != nil {
				return 0, err.Error()
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		pos := make([][2]float64, len(teams))
		for i := range pos {
			pos[i] = [2]float64{119.6 + rnd.Float64()*0.6, 28.1 + rnd.Float64()*0.5}
		}
		inputs := []string{`{"inputs": {"lec_l": 10, "lec_e": 6, "lec_c": 40}}`, `{"inputs": {"lec_l": 1, "lec_e": 1, "lec_c": 1}}`, `{"inputs": {"lec_l": 3, "lec_e": 6, "lec_c": 7}}`}
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		var incident int64
		for n := 0; ; n++ {
			select {
			case <-wctx.Done():
				return
			case <-tick.C:
			}
			var st int
			var msg string
			switch {
			case n%4 == 0: // a grade every 2 s
				id := objects[rnd.IntN(len(objects))]
				st, msg = do("POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), inputs[rnd.IntN(len(inputs))], planner)
				if st == http.StatusCreated {
					st = http.StatusOK
				}
			case n%120 == 1: // an incident a minute, and the last one closed
				if incident != 0 {
					st, msg = do("PATCH", fmt.Sprintf("%s/api/v1/incidents/%d", srv.URL, incident), `{"status": "closed"}`, dispatcher)
					if st != http.StatusOK {
						break
					}
				}
				st, msg = do("POST", srv.URL+"/api/v1/incidents", fmt.Sprintf(`{"kind": "fire", "level": "III", "title": "浸泡测试事件 %d", "coordinates": "%f, %f"}`,
					n, 119.6+rnd.Float64()*0.6, 28.1+rnd.Float64()*0.5), dispatcher)
				var v struct{ ID int64 }
				if st == http.StatusCreated && json.Unmarshal([]byte(msg), &v) == nil {
					incident = v.ID
				}
				if st == http.StatusCreated {
					st, msg = do("POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", srv.URL, incident), fmt.Sprintf(`{"resource_id": %d}`, teams[rnd.IntN(len(teams))]), dispatcher)
					if st == http.StatusCreated || st == http.StatusConflict { // a team still busy elsewhere
						st = http.StatusOK
					}
				}
			default: // a team reports
				i := rnd.IntN(len(teams))
				pos[i][0] += (rnd.Float64() - 0.5) * 0.004
				pos[i][1] += (rnd.Float64() - 0.5) * 0.004
				st, msg = do("POST", fmt.Sprintf("%s/api/v1/resources/%d/positions", srv.URL, teams[i]), fmt.Sprintf(`{"lon": %f, "lat": %f}`, pos[i][0], pos[i][1]), dispatcher)
			}
			if st != http.StatusOK && wctx.Err() == nil {
				if n < 20 {
					t.Logf("change %d failed: %d %s", n, st, msg)
				}
				select {
				case failures <- fmt.Sprintf("change %d: %d %s", n, st, msg):
				default:
				}
			}
		}
	}()

	start := time.Now()
	var samples []pageMemory
	for m := 1; m <= minutes; m++ {
		time.Sleep(time.Until(start.Add(time.Duration(m) * time.Minute)))
		if m%5 == 0 {
			p.run("acknowledge the alerts", chromedp.Evaluate[chromedp.Void](`document.getElementById('ack-all').click()`))
		}
		if m%10 == 5 {
			// The network drops the stream (a switch restarts): the wall
			// comes back by itself.
			srv.CloseClientConnections()
			p.poll(fmt.Sprintf("minute %d: the wall reconnects", m), `window.__wall.link() === 'open'`, 45*time.Second)
		}
		s, err := measure(ctx, start)
		if err != nil {
			t.Fatalf("minute %d: %v", m, err)
		}
		s.Alerts, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`window.__wall.alerts().length`))
		s.Events, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`window.__wall.events`))
		samples = append(samples, s)
		t.Logf("minute %2d: heap %.2f MB, %d DOM nodes, %d listeners, %d alerts, %d events", m, s.HeapMB, s.Nodes, s.Listeners, s.Alerts, s.Events)
	}
	stop()
	writer.Wait()
	close(failures)
	var failed []string
	for f := range failures {
		failed = append(failed, f)
	}
	if len(failed) > 0 {
		t.Errorf("%d changes failed, the first: %v", len(failed), failed[:min(5, len(failed))])
	}
	median := func(ss []pageMemory, f func(pageMemory) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	early, late := samples[2:7], samples[len(samples)-5:]
	heap := func(s pageMemory) float64 { return s.HeapMB }
	nodes := func(s pageMemory) float64 { return float64(s.Nodes) }
	he, hl := median(early, heap), median(late, heap)
	ne, nl := median(early, nodes), median(late, nodes)
	report := fmt.Sprintf("wall soak, %d min, %d events: heap after GC %.2f MB (minutes 3-7, median) → %.2f MB (last 5), max %.2f MB; DOM nodes %.0f → %.0f\n",
		minutes, samples[len(samples)-1].Events, he, hl, slices.MaxFunc(samples, func(a, b pageMemory) int { return int((a.HeapMB - b.HeapMB) * 1000) }).HeapMB, ne, nl)
	for _, s := range samples {
		report += fmt.Sprintf("%6s  heap %.2f MB  nodes %d  listeners %d  alerts %d  events %d\n", s.At, s.HeapMB, s.Nodes, s.Listeners, s.Alerts, s.Events)
	}
	t.Log(report)
	if f := os.Getenv("RISKMAP_SOAK_REPORT"); f != "" {
		if err := os.WriteFile(f, []byte(report), 0o644); err != nil {
			t.Error(err)
		}
	}
	if hl > he*1.15 && hl-he > 3 {
		t.Errorf("the page's heap grew from %.2f MB to %.2f MB", he, hl)
	}
	if nl > ne*1.15 && nl-ne > 500 {
		t.Errorf("the page's DOM grew from %.0f to %.0f nodes", ne, nl)
	}
	if samples[len(samples)-1].Events < minutes*60 {
		t.Errorf("the wall heard only %d events in %d minutes", samples[len(samples)-1].Events, minutes)
	}
	if errs := p.pageErrors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
