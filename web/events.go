package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/tiles"
)

// ChangeFeed tells which layers' data changed; *tiles.Cache is one.
type ChangeFeed interface {
	Subscribe() (<-chan tiles.Change, func())
	Since(seq int64) tiles.Change
}

// maxStreams bounds the event streams open at once (each holds a
// connection for as long as a map is open).
const maxStreams = 1000

// handleEvents: GET /api/v1/events, Server-Sent Events. Each "layers"
// event says which layers' data changed, with their new versions, and
// where ("bbox": [minLon, minLat, maxLon, maxLat], or null when the
// change may be anywhere); its id is the highest version, so a client
// that reconnects with Last-Event-ID gets at once what changed while it
// was away (with bbox null). Before it come the object-level events of
// the same change: "grade_changed" (objects with their grade before and
// after, and place), "hazard_overdue" (hidden hazards newly past a
// deadline), "dispatch" (an incident reported, its status changed, or
// resources assigned to it or released: {"incident_id", "action",
// "resources", "status"}) and "position" (a rescue resource's newest GPS
// fix: {"kind", "resource_id", "lon", "lat", "recorded_at", "status"}),
// the last two only for a client that may read rescue_resources, and
// "tasks" (what waits for these divisions changed: {"divisions"}, only
// those in the client's division; null when too many to name), for a
// page of tasks to read GET /api/v1/tasks again. A change
// may bring object events and no layers event (a fix where the resource
// already was moves no layer's version); object events carry no id, so
// Last-Event-ID still names the last layers event. An "event: ping"
// every 20 s keeps proxies from closing the stream, and tells a client
// that hears nothing for longer that its connection died unseen (an
// SSE comment would not reach the page's script).
func (s *Server) handleEvents(c echo.Context) error {
	if s.streams.Add(1) > maxStreams {
		s.streams.Add(-1)
		c.Response().Header().Set("Retry-After", "30")
		return echo.NewHTTPError(http.StatusServiceUnavailable, "too many event streams open")
	}
	defer s.streams.Add(-1)
	var last int64 = -1
	if v := c.Request().Header.Get("Last-Event-ID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "Last-Event-ID is not an event id")
		}
		last = n
	}
	within := s.viewScope(c) // "": the whole map
	changes, stop := s.changes.Subscribe()
	defer stop()
	w := c.Response()
	rc := http.NewResponseController(w.Writer)
	rc.SetWriteDeadline(time.Time{}) // a stream lasts as long as the map is open
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set(echo.HeaderCacheControl, "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	send := func(ch tiles.Change) error {
		if len(ch.Layers) == 0 && len(ch.Payloads) == 0 {
			return nil
		}
		d := describe(ch, func(l geo.Layer) bool { return s.mayRead(c, l) }, within)
		// Object-level events first, then the layers' versions with the
		// event id: a client that reconnects resumes after the last
		// layers event it saw.
		for _, e := range d.objects {
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.kind, e.data); err != nil {
				return err
			}
		}
		layers := map[geo.Layer]int64{}
		for l, v := range ch.Layers {
			if s.mayRead(c, l) {
				layers[l] = v
			}
		}
		if len(layers) == 0 {
			if len(d.objects) == 0 {
				return nil
			}
			return rc.Flush() // object events only: no id, the client's Last-Event-ID stays
		}
		data, _ := json.Marshal(map[string]any{"layers": layers, "bbox": d.bbox})
		if _, err := fmt.Fprintf(w, "id: %d\nevent: layers\ndata: %s\n\n", ch.Seq, data); err != nil {
			return err
		}
		return rc.Flush()
	}
	fmt.Fprint(w, "retry: 3000\n\n") // reconnect after 3 s when the stream drops
	if last >= 0 {
		if err := send(s.changes.Since(last)); err != nil {
			return nil
		}
	}
	if err := rc.Flush(); err != nil { // also when nothing changed since last
		return nil
	}
	beat := time.NewTicker(20 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-c.Request().Context().Done():
			return nil
		case <-s.closing:
			return nil
		case ch := <-changes:
			if err := send(ch); err != nil {
				return nil
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, "event: ping\ndata: {}\n\n"); err != nil {
				return nil
			}
			if rc.Flush() != nil {
				return nil
			}
		}
	}
}

// changeDetail is what a change's notifications said: where, and the
// object-level events.
type changeDetail struct {
	bbox    *[4]float64 // nil: anywhere
	objects []objectEvent
}

type objectEvent struct {
	kind string // grade_changed, hazard_overdue, dispatch, tasks or position
	data json.RawMessage
}

// describe reads the notifications of a change (migrations 0007 and
// 0012's JSON) for a client that may read the layers readable says yes
// to, in division within ("" the whole map): object events keep only
// the objects, hazards, incidents and resources that lie there, and a
// client limited to a division is never told where a change was (its
// bbox is null), so that a box does not give away a change elsewhere. The area
// is the union of the layers notifications' boxes, and nil if any of
// them had none, or if there was none at all (a poll, or a reconnect),
// since then the change may be anywhere. A notification that names a
// layer the client may not read counts as anywhere too, so that its box
// does not tell where a restricted object changed; object events keep
// only the objects of readable layers.
func describe(ch tiles.Change, readable func(geo.Layer) bool, within string) changeDetail {
	var d changeDetail
	inScope := func(raw json.RawMessage) bool {
		var o struct{ Division string }
		return within == "" || json.Unmarshal(raw, &o) == nil && geo.Within(within, o.Division)
	}
	var area [4]float64
	boxes, anywhere := 0, false
	for _, n := range ch.Notifications() {
		switch {
		case n.Kind == "grade_changed":
			var keep []json.RawMessage
			for _, o := range n.Objects {
				var obj struct {
					Category geo.Layer
					Division string
				}
				if json.Unmarshal(o, &obj) == nil && readable(obj.Category) && (within == "" || geo.Within(within, obj.Division)) {
					keep = append(keep, o)
				}
			}
			if len(keep) > 0 {
				data, _ := json.Marshal(map[string]any{"kind": n.Kind, "objects": keep, "more": n.More})
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: data})
			}
		case n.Kind == "hazard_overdue":
			if !readable(geo.HiddenHazards) {
				break
			}
			if within == "" {
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: json.RawMessage(n.Raw)})
				break
			}
			var all struct{ Hazards []json.RawMessage }
			json.Unmarshal([]byte(n.Raw), &all)
			var keep []json.RawMessage
			for _, h := range all.Hazards {
				if inScope(h) {
					keep = append(keep, h)
				}
			}
			if len(keep) > 0 {
				data, _ := json.Marshal(map[string]any{"kind": n.Kind, "hazards": keep, "more": 0})
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: data})
			}
		case n.Kind == "dispatch":
			// It names the resources: only for who may see them, and in
			// whose division the incident or a resource lies.
			var ds struct{ Divisions []string }
			json.Unmarshal([]byte(n.Raw), &ds)
			mine := within == ""
			for _, code := range ds.Divisions {
				mine = mine || geo.Within(within, code)
			}
			if mine && readable(geo.Incidents) && readable(geo.Layer(geo.RescueResources)) {
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: json.RawMessage(n.Raw)})
			}
		case n.Kind == "tasks":
			// Whose tasks moved: the divisions in the client's, no more.
			var ts struct{ Divisions []string }
			json.Unmarshal([]byte(n.Raw), &ts)
			if within == "" {
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: json.RawMessage(n.Raw)})
				break
			}
			keep := []string{}
			for _, code := range ts.Divisions {
				if geo.Within(within, code) {
					keep = append(keep, code)
				}
			}
			if ts.Divisions == nil || len(keep) > 0 {
				data, _ := json.Marshal(map[string]any{"kind": n.Kind, "divisions": keep})
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: data})
			}
		case n.Kind == "position":
			// Where a resource is: only for who may see the resources.
			if readable(geo.Layer(geo.RescueResources)) && inScope(json.RawMessage(n.Raw)) {
				d.objects = append(d.objects, objectEvent{kind: n.Kind, data: json.RawMessage(n.Raw)})
			}
		case n.Layers != nil && (n.BBox == nil || !all(n.Layers, readable) || within != ""):
			anywhere = true
		case n.Layers != nil:
			if boxes == 0 {
				area = *n.BBox
			} else {
				area = [4]float64{min(area[0], n.BBox[0]), min(area[1], n.BBox[1]), max(area[2], n.BBox[2]), max(area[3], n.BBox[3])}
			}
			boxes++
		}
	}
	if boxes > 0 && !anywhere {
		d.bbox = &area
	}
	return d
}

func all(ls []geo.Layer, ok func(geo.Layer) bool) bool {
	for _, l := range ls {
		if !ok(l) {
			return false
		}
	}
	return true
}
