package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Defaults of the limits on requests (see Options).
const (
	defaultMaxInFlight    = 128
	defaultRequestTimeout = 30 * time.Second
	queueWait             = 2 * time.Second // how long a request waits for a free slot
)

// limitInFlight lets at most n requests run at once; the others wait a
// little for a slot, then get 503 with Retry-After rather than pile up
// until the server falls over. Health checks always pass.
func limitInFlight(n int) echo.MiddlewareFunc {
	slots := make(chan struct{}, n)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if p := c.Request().URL.Path; p == "/healthz" || p == "/readyz" || p == "/api/v1/events" {
				return next(c) // event streams have a bound of their own
			}
			t := time.NewTimer(queueWait)
			defer t.Stop()
			select {
			case slots <- struct{}{}:
			case <-t.C:
				c.Response().Header().Set("Retry-After", "2")
				return echo.NewHTTPError(http.StatusServiceUnavailable, "the server is busy: try again in a moment")
			case <-c.Request().Context().Done():
				return c.Request().Context().Err()
			}
			defer func() { <-slots }()
			return next(c)
		}
	}
}

// requestTimeout ends a request's context after d (its queries with it:
// they answer 504); an import, which may take minutes, and an event
// stream are exempt.
func requestTimeout(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if r := c.Request(); (r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/api/v1/imports")) || strings.HasSuffix(r.URL.Path, "/api/v1/events") {
				return next(c) // an import may take minutes; an event stream lasts
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}
