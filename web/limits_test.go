package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestLimitInFlight: with every slot taken, a request waits, then gets
// 503 with Retry-After; health checks still pass; a freed slot serves.
func TestLimitInFlight(t *testing.T) {
	e := echo.New()
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	e.Use(limitInFlight(2))
	e.GET("/slow", func(c echo.Context) error {
		started <- struct{}{}
		<-release
		return c.NoContent(http.StatusOK)
	})
	e.GET("/healthz", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	e.GET("/fast", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil))
		})
	}
	<-started
	<-started
	rec := httptest.NewRecorder()
	start := time.Now()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fast", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || time.Since(start) < queueWait/2 {
		t.Errorf("a request with every slot taken: %d, Retry-After %q, after %v", rec.Code, rec.Header().Get("Retry-After"), time.Since(start))
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz with every slot taken: %d", rec.Code)
	}
	close(release)
	wg.Wait()
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fast", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("a request once the slots are free: %d", rec.Code)
	}
}

// TestRequestTimeout: a handler's context ends after the timeout, except
// an import's.
func TestRequestTimeout(t *testing.T) {
	e := echo.New()
	e.Use(requestTimeout(50 * time.Millisecond))
	var got error
	wait := func(c echo.Context) error {
		select {
		case <-c.Request().Context().Done():
			got = c.Request().Context().Err()
		case <-time.After(time.Second):
			got = nil
		}
		return c.NoContent(http.StatusOK)
	}
	e.GET("/x", wait)
	e.POST("/api/v1/imports", wait)
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	if !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("GET /x: context ended with %v, want the deadline", got)
	}
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/api/v1/imports", nil))
	if got != nil {
		t.Errorf("an import's context ended: %v", got)
	}
}
