package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/geo/grading"
)

// problem is an RFC 9457 problem body.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Param    string `json:"param,omitempty"` // the parameter at fault, for 400s
	Instance string `json:"instance,omitempty"`
	// Problems are a geometry's faults, each with where it is and
	// whether it can be repaired (400s for polygons).
	Problems []geo.GeometryProblem `json:"problems,omitempty"`
	// Repairable: every problem can be mended by sending repair=true.
	Repairable *bool `json:"repairable,omitempty"`
	// Current is what a stale If-Match lost to: the resource as it now
	// is, with its version (409s of versioned writes).
	Current any `json:"current,omitempty"`
	// CurrentVersion is that version.
	CurrentVersion *int `json:"current_version,omitempty"`
	// TargetDivision and ActorDivision are the divisions of a write
	// refused for lying outside the actor's (403s): the target's ("" for
	// none) and the actor's ("" for the whole deployment).
	TargetDivision *string `json:"target_division,omitempty"`
	ActorDivision  *string `json:"actor_division,omitempty"`
	// Fields are the faults of a grading file, each naming its item and
	// field (400s of POST /api/v1/grading/load).
	Fields []grading.SetProblem `json:"fields,omitempty"`
}

// handleError is the one place where errors become HTTP statuses. Only
// messages written for clients (geo.ParamError, echo's own errors) reach
// them; anything else is logged and answered "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	r := c.Request()
	p, ok := s.problemFor(err, c)
	if !ok {
		return // the client went away; nobody is listening
	}
	if p.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
	}
	if ae := (*authError)(nil); errors.As(err, &ae) && ae.status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="riskmap"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	if r.Method == http.MethodHead {
		c.NoContent(p.Status)
		return
	}
	c.JSON(p.Status, p)
}

// problemFor is the problem body err is answered with; false when the
// client has gone and nothing should be written. Internal errors are
// logged here, and answered "internal error".
func (s *Server) problemFor(err error, c echo.Context) (problem, bool) {
	r := c.Request()
	p := problem{Type: "about:blank", Instance: r.URL.Path}
	var (
		pe *geo.ParamError
		ge *geo.GeometryError
		ve *geo.VersionError
		se *geo.StateError
		sc *geo.ScopeError
		he *echo.HTTPError
		ae *authError
		gs *grading.SetError
	)
	switch {
	case errors.As(err, &ae):
		p.Status, p.Detail = ae.status, ae.msg
	case errors.As(err, &sc):
		p.Status, p.Detail = http.StatusForbidden, sc.Error()
		p.TargetDivision, p.ActorDivision = &sc.Target, &sc.Actor
	case errors.As(err, &ge):
		rep := ge.Repairable()
		p.Status, p.Detail, p.Param, p.Problems, p.Repairable = http.StatusBadRequest, ge.Error(), ge.Param, ge.Problems, &rep
	case errors.As(err, &ve):
		p.Status = http.StatusConflict // a stale version
		if ve.Given == 0 {
			p.Status = http.StatusPreconditionRequired // none given
		}
		p.Detail, p.Current, p.CurrentVersion = ve.Error(), ve.Current, &ve.CurrentVersion
	case errors.As(err, &gs):
		p.Status, p.Detail, p.Param, p.Fields = http.StatusBadRequest, fmt.Sprintf("the grading definitions have %d faults", len(gs.Problems)), "set", gs.Problems
	case errors.As(err, &pe):
		p.Status, p.Detail, p.Param = http.StatusBadRequest, pe.Error(), pe.Param
	case errors.As(err, &se):
		p.Status, p.Detail = http.StatusConflict, se.Error()
	case errors.Is(err, geo.ErrInvalid):
		p.Status, p.Detail = http.StatusBadRequest, "the request is not valid"
	case errors.Is(err, geo.ErrNotFound):
		p.Status, p.Detail = http.StatusNotFound, "no such resource"
	case errors.Is(err, geo.ErrUnavailable):
		p.Status, p.Detail = http.StatusServiceUnavailable, "the database does not answer"
		s.opts.Logger.Error("unavailable", "path", r.URL.Path, "err", err)
	case errors.Is(err, errUpstream):
		p.Status, p.Detail = http.StatusBadGateway, "the basemap server did not deliver the tile"
		s.opts.Logger.Warn("basemap", "path", r.URL.Path, "err", err) // basemap errors never hold the upstream URL
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return p, false
	case errors.Is(err, context.Canceled):
		p.Status, p.Detail = http.StatusServiceUnavailable, "the server is shutting down"
	case errors.Is(err, geo.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		p.Status, p.Detail = http.StatusGatewayTimeout, "the request took too long"
		s.opts.Logger.Warn("timeout", "path", r.URL.Path, "err", err)
	case errors.As(err, &he):
		p.Status = he.Code
		if m, ok := he.Message.(string); ok {
			p.Detail = m
		}
	default:
		p.Status, p.Detail = http.StatusInternalServerError, "internal error"
		s.opts.Logger.Error("internal error", "path", r.URL.Path,
			"id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	p.Title = http.StatusText(p.Status)
	return p, true
}
