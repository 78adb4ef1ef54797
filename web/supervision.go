package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/geo/access"
)

// maxSupervisions bounds the supervisions GET /api/v1/supervisions lists
// (the completion by division counts them all).
const maxSupervisions = 500

// supervisionRoutes are 督办: a level above puts a hidden hazard of a
// division below under supervision, the division below acknowledges
// (签收) and feeds back (反馈), the supervising division lifts it (摘牌).
func (s *Server) supervisionRoutes() {
	e, read := s.echo, s.read
	e.POST("/api/v1/hidden-hazards/:id/supervisions", s.write(access.Planner, "hazard.supervise", s.handleSupervise))
	e.GET("/api/v1/supervisions", read(s.handleSupervisions))
	e.GET("/api/v1/supervisions/:id", read(s.handleSupervision))
	for _, action := range geo.SupervisionActions {
		e.POST("/api/v1/supervisions/:id/"+action, s.write(access.Planner, "supervision."+action, s.handleSupervisionStep(action)))
	}
}

// handleSupervise: POST /api/v1/hidden-hazards/{id}/supervisions
// (geo.NewSupervision).
func (s *Server) handleSupervise(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var n geo.NewSupervision
	if err := decodeBody(c, &n); err != nil {
		return err
	}
	out, err := s.hazards.Supervise(c.Request().Context(), id, n, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "hazard.supervise", Target: fmt.Sprintf("hazard:%d", id)}, nil, out)
	return c.JSON(http.StatusCreated, out)
}

// handleSupervisionStep: POST /api/v1/supervisions/{id}/{action}
// {"note"}, for each of geo.SupervisionActions.
func (s *Server) handleSupervisionStep(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.sameSite(c); err != nil {
			return err
		}
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		st := geo.SupervisionStep{Action: action}
		if c.Request().ContentLength != 0 {
			if err := decodeBody(c, &st); err != nil {
				return err
			}
		}
		out, err := s.hazards.StepSupervision(c.Request().Context(), id, st, s.actor(c))
		if err != nil {
			return err
		}
		s.audit(c, access.Entry{Action: "supervision." + action, Target: fmt.Sprintf("supervision:%d", id)}, nil, map[string]any{"note": st.Note, "step": out.Step})
		return c.JSON(http.StatusOK, out)
	}
}

// handleSupervisions: GET /api/v1/supervisions[?all=true], the
// supervisions the viewed division issued (open ones; all=true the lifted
// too), with their completion by the division below.
func (s *Server) handleSupervisions(c echo.Context) error {
	all, err := boolParam(c, "all")
	if err != nil {
		return err
	}
	out, err := s.hazards.Supervisions(c.Request().Context(), s.viewScope(c), all, maxSupervisions)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// handleSupervision: GET /api/v1/supervisions/{id}, for readers of the
// supervising division or of the hazard's.
func (s *Server) handleSupervision(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sv, err := s.hazards.Supervision(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if v := s.viewScope(c); !geo.Within(v, sv.HazardDivision) && !geo.Within(v, sv.Division) {
		return fmt.Errorf("supervision %d lies outside the reader's division: %w", id, geo.ErrNotFound)
	}
	return c.JSON(http.StatusOK, sv)
}
