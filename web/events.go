package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

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
// event says which layers' data changed, with their new versions; its id
// is the highest version, so a client that reconnects with Last-Event-ID
// gets at once what changed while it was away. A comment every 20 s keeps
// proxies from closing the stream.
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
		if len(ch.Layers) == 0 {
			return nil
		}
		data, _ := json.Marshal(map[string]any{"layers": ch.Layers})
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
	} else if err := rc.Flush(); err != nil {
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
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			if rc.Flush() != nil {
				return nil
			}
		}
	}
}
