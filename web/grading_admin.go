package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/grading"
)

// gradingAdminRoutes are the admin page's 评定方案: the configuration in
// force with its versions, switching a scheme or rule, loading a file.
func (s *Server) gradingAdminRoutes(read func(echo.HandlerFunc) echo.HandlerFunc) {
	e := s.echo
	e.GET("/api/v1/grading", read(s.handleGrading))
	e.POST("/api/v1/grading/switch", s.write(access.Admin, "grading.switch", s.handleSwitchGrading))
	e.POST("/api/v1/grading/load", s.write(access.Admin, "grading.load", s.handleLoadGrading))
}

// handleGrading: GET /api/v1/grading, every scheme and rule in force,
// switched on or not (schemes by category and priority, rules by
// priority), and every stored version of each: who stored it, when and
// why.
func (s *Server) handleGrading(c echo.Context) error {
	ctx := c.Request().Context()
	set, err := s.grading.Grading(ctx)
	if err != nil {
		return err
	}
	versions, err := s.grading.GradingVersions(ctx)
	if err != nil {
		return err
	}
	slices.SortStableFunc(set.Schemes, func(a, b grading.Scheme) int {
		return cmp.Or(strings.Compare(string(a.Category), string(b.Category)), cmp.Compare(a.Priority, b.Priority))
	})
	slices.SortStableFunc(set.Rules, func(a, b grading.Rule) int { return cmp.Compare(a.Priority, b.Priority) })
	if set.Schemes == nil {
		set.Schemes = []grading.Scheme{}
	}
	if set.Rules == nil {
		set.Rules = []grading.Rule{}
	}
	if versions == nil {
		versions = []geo.GradingVersion{}
	}
	return c.JSON(http.StatusOK, map[string]any{"schemes": set.Schemes, "rules": set.Rules, "versions": versions})
}

// handleSwitchGrading: POST /api/v1/grading/switch {"kind": "scheme" or
// "rule", "key", "enabled", "reason", "dry_run"}: the scheme or rule
// switched on or off as its next version, and every object graded again
// at once; the answer says what moved. A dry run keeps nothing.
func (s *Server) handleSwitchGrading(c echo.Context) error {
	var ch geo.GradingChange
	if err := decodeBody(c, &ch); err != nil {
		return err
	}
	if err := ch.Check(true); err != nil {
		return err
	}
	out, err := s.grading.ChangeGrading(c.Request().Context(), ch, grading.Set{}, s.actor(c))
	if err != nil {
		return err
	}
	if !out.DryRun && len(out.Stored) > 0 {
		s.audit(c, access.Entry{Action: "grading.switch", Target: string(ch.Kind) + ":" + ch.Key},
			map[string]any{"enabled": !ch.Enabled},
			map[string]any{"enabled": ch.Enabled, "reason": ch.Reason, "stored": out.Stored, "moves": out.Regrade.Moves})
	}
	return c.JSON(http.StatusOK, out)
}

// handleLoadGrading: POST /api/v1/grading/load {"reason", "dry_run",
// "set": a file of the shape of sql/grading/defaults.json}: what differs
// from the configuration in force is stored as next versions and every
// object graded again. A set with faults is refused with each of them
// (400, "fields": item, field, reason).
func (s *Server) handleLoadGrading(c echo.Context) error {
	var body struct {
		Reason string          `json:"reason"`
		DryRun bool            `json:"dry_run"`
		Set    json.RawMessage `json:"set"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	ch := geo.GradingChange{Reason: body.Reason, DryRun: body.DryRun}
	if err := ch.Check(false); err != nil {
		return err
	}
	if len(body.Set) == 0 {
		return geo.Invalidf("set", "missing: send the schemes and rules to load")
	}
	set, err := grading.ParseSet(body.Set)
	if err != nil {
		return err
	}
	out, err := s.grading.ChangeGrading(c.Request().Context(), ch, set, s.actor(c))
	if err != nil {
		return err
	}
	if !out.DryRun && len(out.Stored) > 0 {
		s.audit(c, access.Entry{Action: "grading.load", Target: "grading"}, nil,
			map[string]any{"reason": ch.Reason, "stored": out.Stored, "moves": out.Regrade.Moves})
	}
	return c.JSON(http.StatusOK, out)
}
