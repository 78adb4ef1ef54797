package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/geo/access"
)

// UserStore manages users and API tokens; *postgis.Store is one. Every
// write is checked by the store against the division of the principal in
// ctx: an admin manages the users of their division and below.
type UserStore interface {
	Users(ctx context.Context) ([]access.User, error)
	AddUser(ctx context.Context, name, display string, role access.Role, hash, division string) (int64, error)
	SetUserDivision(ctx context.Context, name, division string) error
	DisableUser(ctx context.Context, name string) error
	// ResetPassword gives the user a one-time password (hash), enabling
	// them again if they were disabled.
	ResetPassword(ctx context.Context, name, hash string) error
	// CreateToken's role "" is the user's; it returns the role given.
	CreateToken(ctx context.Context, name, user string, role access.Role, division string, expires time.Time, by string) (int64, access.Role, string, error)
	RevokeToken(ctx context.Context, id int64) (string, error)
	// Tokens lists the tokens of the users the actor may manage.
	Tokens(ctx context.Context) ([]access.Token, error)
}

// userRoutes registers the user and token endpoints (admins only).
func (s *Server) userRoutes() {
	e := s.echo
	e.GET("/api/v1/users", s.write(access.Admin, "user.list", s.handleUsers))
	e.POST("/api/v1/users", s.write(access.Admin, "user.add", s.handleAddUser))
	e.PATCH("/api/v1/users/:name", s.write(access.Admin, "user.change", s.handleChangeUser))
	e.POST("/api/v1/users/:name/password", s.write(access.Admin, "user.reset", s.handleResetPassword))
	e.GET("/api/v1/tokens", s.write(access.Admin, "token.list", s.handleTokens))
	e.POST("/api/v1/tokens", s.write(access.Admin, "token.create", s.handleCreateToken))
	e.DELETE("/api/v1/tokens/:id", s.write(access.Admin, "token.revoke", s.handleRevokeToken))
}

// handleUsers: GET /api/v1/users, the users of the caller's division
// and below.
func (s *Server) handleUsers(c echo.Context) error {
	users, err := s.users.Users(c.Request().Context())
	if err != nil {
		return err
	}
	if users == nil {
		users = []access.User{}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

// handleAddUser: POST /api/v1/users {"name", "display_name", "role",
// "division" (default: the caller's), "password"}.
func (s *Server) handleAddUser(c echo.Context) error {
	var body struct {
		Name        string `json:"name"`
		DisplayName string `json:"display_name"`
		Role        string `json:"role"`
		Division    string `json:"division"`
		Password    string `json:"password"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if err := access.ValidUserName(body.Name); err != nil {
		return geo.Invalidf("name", "%s", err.Error())
	}
	role, err := access.ParseRole(body.Role)
	if err != nil {
		return geo.Invalidf("role", "%s", err.Error())
	}
	if len([]rune(body.DisplayName)) > 100 {
		return geo.Invalidf("display_name", "at most 100 characters")
	}
	hash, err := access.HashPassword(body.Password)
	if err != nil {
		return geo.Invalidf("password", "%s", err.Error())
	}
	if body.Division == "" {
		body.Division = principal(c).Division
	}
	id, err := s.users.AddUser(c.Request().Context(), body.Name, body.DisplayName, role, hash, body.Division)
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "user.add", Target: "user:" + body.Name}, nil,
		map[string]any{"role": role, "display_name": body.DisplayName, "division": body.Division})
	return c.JSON(http.StatusCreated, map[string]any{"id": id, "name": body.Name, "role": role, "division": body.Division})
}

// handleChangeUser: PATCH /api/v1/users/{name} {"division": "…"} moves a
// user ("" the whole deployment), {"disabled": true} disables them.
func (s *Server) handleChangeUser(c echo.Context) error {
	var body struct {
		Division *string `json:"division"`
		Disabled *bool   `json:"disabled"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	name := c.Param("name")
	if err := access.ValidUserName(name); err != nil {
		return geo.Invalidf("name", "%s", err.Error())
	}
	if body.Division == nil && body.Disabled == nil {
		return geo.Invalidf("body", "give division, or disabled: true")
	}
	if body.Disabled != nil && !*body.Disabled {
		return geo.Invalidf("disabled", "a disabled user is enabled again by resetting their password (POST /api/v1/users/{name}/password)")
	}
	ctx := c.Request().Context()
	if body.Division != nil {
		if err := s.users.SetUserDivision(ctx, name, *body.Division); err != nil {
			return err
		}
		s.audit(c, access.Entry{Action: "user.division", Target: "user:" + name}, nil, map[string]any{"division": *body.Division})
	}
	if body.Disabled != nil {
		if err := s.users.DisableUser(ctx, name); err != nil {
			return err
		}
		s.audit(c, access.Entry{Action: "user.disable", Target: "user:" + name}, nil, map[string]any{"disabled": true})
	}
	return c.NoContent(http.StatusNoContent)
}

// handleResetPassword: POST /api/v1/users/{name}/password: a one-time
// password for the user, in the answer once ({"password"}); the user is
// enabled again if disabled, their sessions end, and at their next login
// they must choose their own before doing anything else.
func (s *Server) handleResetPassword(c echo.Context) error {
	name := c.Param("name")
	if err := access.ValidUserName(name); err != nil {
		return geo.Invalidf("name", "%s", err.Error())
	}
	otp, err := access.OneTimePassword()
	if err != nil {
		return err
	}
	hash, err := access.HashPassword(otp)
	if err != nil {
		return err
	}
	if err := s.users.ResetPassword(c.Request().Context(), name, hash); err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "user.reset", Target: "user:" + name}, nil, map[string]any{"one_time_password": true})
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"user": name, "password": otp})
}

// handleTokens: GET /api/v1/tokens, the tokens of the users the admin
// manages, newest first (never their secrets).
func (s *Server) handleTokens(c echo.Context) error {
	list, err := s.users.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []access.Token{}
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": list})
}

// handleCreateToken: POST /api/v1/tokens {"name", "user", "role"
// (default: the user's), "division" (default: the user's), "days" (1 to
// 730, default 90)}; the token's text is in the answer, once.
func (s *Server) handleCreateToken(c echo.Context) error {
	var body struct {
		Name     string `json:"name"`
		User     string `json:"user"`
		Role     string `json:"role"`
		Division string `json:"division"`
		Days     int    `json:"days"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if err := access.ValidUserName(body.Name); err != nil {
		return geo.Invalidf("name", "%s", err.Error())
	}
	if body.Days == 0 {
		body.Days = 90
	}
	if body.Days < 1 || body.Days > 730 {
		return geo.Invalidf("days", "want 1 to 730, got %d", body.Days)
	}
	var role access.Role // "": the user's
	if body.Role != "" {
		r, err := access.ParseRole(body.Role)
		if err != nil {
			return geo.Invalidf("role", "%s", err.Error())
		}
		role = r
	}
	until := time.Now().AddDate(0, 0, body.Days)
	id, role, text, err := s.users.CreateToken(c.Request().Context(), body.Name, body.User, role, body.Division, until, s.actor(c))
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "token.create", Target: fmt.Sprintf("token:%d", id)}, nil,
		map[string]any{"name": body.Name, "user": body.User, "role": role, "division": body.Division, "expires_at": until})
	return c.JSON(http.StatusCreated, map[string]any{"id": id, "token": text, "role": role, "expires_at": until})
}

// handleRevokeToken: DELETE /api/v1/tokens/{id}.
func (s *Server) handleRevokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return geo.Invalidf("id", "%q is not a token id", clip(c.Param("id"), 40))
	}
	name, err := s.users.RevokeToken(c.Request().Context(), id)
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "token.revoke", Target: fmt.Sprintf("token:%d", id)}, nil, map[string]any{"name": name, "revoked": true})
	return c.NoContent(http.StatusNoContent)
}
