package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"riskmap/geo"
	"riskmap/geo/access"
)

// AccessStore keeps users' sessions, API tokens and the audit log;
// *postgis.Store is one.
type AccessStore interface {
	Login(ctx context.Context, name, password, remote string, ttl time.Duration) (access.Principal, string, string, error)
	Session(ctx context.Context, secret string) (access.Principal, string, error)
	Logout(ctx context.Context, secret string) error
	// StartSession starts a session for a user someone else (the
	// single sign-on) authenticated.
	StartSession(ctx context.Context, name, remote string, ttl time.Duration) (access.Principal, string, string, error)
	Token(ctx context.Context, text string) (access.Principal, error)
	Audit(ctx context.Context, e access.Entry, before, after any) error
	// ChangePassword sets a user's own password after checking their
	// current one (access.ErrBadPassword when it is wrong).
	ChangePassword(ctx context.Context, name, current, next string) error
	AuditLog(ctx context.Context, f access.AuditFilter) ([]access.Entry, error)
}

// Who may read: everyone who reaches the server (the intranet), or only
// those logged in.
const (
	ReadOpen  = "open"
	ReadLogin = "login"
)

const (
	sessionCookie  = "riskmap_session"
	csrfHeader     = "X-CSRF-Token"
	principalKey   = "riskmap.principal"
	csrfKey        = "riskmap.csrf" // the session's CSRF token
	defaultSession = 12 * time.Hour
)

// authError is a 401 or 403 whose message says what is missing, and no
// more.
type authError struct {
	status int
	msg    string
}

func (e *authError) Error() string { return e.msg }

var errLogin = &authError{http.StatusUnauthorized, "log in, or send an API token (Authorization: Bearer …)"}

// authenticate finds who the request acts as: an API token in
// Authorization, else a session cookie. A token that is not valid is
// refused at once; a stale cookie is ignored (the request is anonymous).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.access == nil {
			return next(c)
		}
		r := c.Request()
		if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
			text, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return &authError{http.StatusUnauthorized, "the Authorization header must be: Bearer TOKEN"}
			}
			p, err := s.access.Token(r.Context(), strings.TrimSpace(text))
			if errors.Is(err, geo.ErrNotFound) {
				return &authError{http.StatusUnauthorized, "the API token is not valid (unknown, expired or revoked)"}
			}
			if err != nil {
				return err
			}
			setPrincipal(c, &p)
			return next(c)
		}
		if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
			p, csrf, err := s.access.Session(r.Context(), ck.Value)
			switch {
			case err == nil:
				setPrincipal(c, &p)
				c.Set(csrfKey, csrf)
			case !errors.Is(err, geo.ErrNotFound):
				return err
			}
		}
		return next(c)
	}
}

// setPrincipal makes p who the request acts as, for the handlers and, in
// the request's context, for the store, which checks every write against
// p's division.
func setPrincipal(c echo.Context, p *access.Principal) {
	c.Set(principalKey, p)
	r := c.Request()
	c.SetRequest(r.WithContext(access.WithActor(r.Context(), p)))
}

// viewKey is where scopeReads keeps the division a request reads.
const viewKey = "riskmap.view"

// scopeReads settles the division the request reads: the reader's own
// (readScope), narrowed by a division=CODE parameter (a county's map or
// wall, /?division=331122); a division outside the reader's is a 403,
// one wider than it stays the reader's. It keeps it for viewScope and
// puts it in the request's context for the store's lists and statistics.
func (s *Server) scopeReads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scope := s.readScope(c)
		if v := c.QueryParam("division"); v != "" {
			if err := geo.CheckDivisionCode(v); err != nil {
				return geo.Invalidf("division", "%s", err.Error())
			}
			switch {
			case geo.Within(scope, v):
				scope = v
			case geo.Within(v, scope): // wider than the reader's: the reader's
			default:
				return &authError{http.StatusForbidden, fmt.Sprintf("division %s lies outside your division %s", v, scope)}
			}
		}
		c.Set(viewKey, scope)
		if scope != "" {
			r := c.Request()
			c.SetRequest(r.WithContext(access.WithReadScope(r.Context(), scope)))
		}
		return next(c)
	}
}

// viewScope is the division the request reads ("" the whole map): see
// scopeReads.
func (s *Server) viewScope(c echo.Context) string {
	v, _ := c.Get(viewKey).(string)
	return v
}

// principal is who the request acts as; nil when anonymous.
func principal(c echo.Context) *access.Principal {
	p, _ := c.Get(principalKey).(*access.Principal)
	return p
}

// read guards a route that reads data: open, or for those logged in,
// as configured.
func (s *Server) read(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.opts.ReadAccess == ReadLogin && principal(c) == nil {
			return errLogin
		}
		return h(c)
	}
}

// write guards a route that changes data: it needs a principal whose role
// allows need, a request from this site, and, when a session cookie
// authenticates it, the session's CSRF token in X-CSRF-Token. A refusal
// of someone logged in is audited.
func (s *Server) write(need access.Role, action string, h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.access == nil {
			return &authError{http.StatusForbidden, "this server accepts no changes (it has no users)"}
		}
		p := principal(c)
		if p == nil {
			return errLogin
		}
		refuse := func(msg string) error {
			s.audit(c, access.Entry{Action: action, Target: c.Request().URL.Path, Outcome: "refused"}, nil, map[string]string{"reason": msg})
			return &authError{http.StatusForbidden, msg}
		}
		if !p.Role.Allows(need) {
			return refuse(fmt.Sprintf("this needs the %s role; you are %s", need, p.Role))
		}
		if p.MustChange {
			return refuse("you logged in with a one-time password: choose your own first (POST /api/v1/session/password)")
		}
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
			return h(c) // a read that needs the role: no CSRF to fear
		}
		if err := s.sameSite(c); err != nil {
			return err
		}
		if p.Via == "session" {
			want, _ := c.Get(csrfKey).(string)
			got := c.Request().Header.Get(csrfHeader)
			if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				return refuse("send the session's CSRF token in " + csrfHeader)
			}
		}
		err := h(c)
		var se *geo.ScopeError
		if errors.As(err, &se) {
			// The store refused a target outside the actor's division.
			s.audit(c, access.Entry{Action: action, Target: c.Request().URL.Path, Outcome: "refused"}, nil,
				map[string]string{"reason": se.Error(), "target_division": se.Target, "actor_division": se.Actor})
		}
		return err
	}
}

// audit appends to the audit log on behalf of the request's principal. A
// failure to audit is logged: the change it describes has happened.
func (s *Server) audit(c echo.Context, e access.Entry, before, after any) {
	if s.access == nil {
		return
	}
	if p := principal(c); p != nil {
		e.Actor, e.Role, e.Division = p.Actor(), string(p.Role), p.Division
	} else if e.Actor == "" {
		e.Actor = "anonymous"
	}
	e.Remote = c.RealIP()
	e.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if err := s.access.Audit(context.WithoutCancel(c.Request().Context()), e, before, after); err != nil {
		s.opts.Logger.Error("audit", "action", e.Action, "target", e.Target, "err", err)
	}
}

// actor names the request's principal in the records it writes.
func (s *Server) actor(c echo.Context) string {
	if p := principal(c); p != nil {
		return p.Actor()
	}
	return "anonymous"
}

// loginLimiter allows each address a burst of logins, then one every six
// seconds: enough for people who mistype, too slow to guess passwords.
func loginLimiter() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Every(6 * time.Second), Burst: 10, ExpiresIn: 30 * time.Minute})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "6")
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many login attempts from this address: wait a little")
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}

// tokenLimiter lets each API token make perSecond requests a second, in
// bursts of ten times as many: a runaway script slows down (429 with
// Retry-After) instead of taking the server.
func tokenLimiter(perSecond float64) echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perSecond), Burst: int(10 * perSecond), ExpiresIn: 10 * time.Minute})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool {
			p := principal(c)
			return p == nil || p.Via != "token"
		},
		IdentifierExtractor: func(c echo.Context) (string, error) { return strconv.FormatInt(principal(c).TokenID, 10), nil },
		Store:               store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "1")
			return echo.NewHTTPError(http.StatusTooManyRequests, "too many requests with this API token: slow down")
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}

// session is what the login answers and GET /api/v1/session says.
type session struct {
	User         string `json:"user"`
	Role         string `json:"role"`
	Division     string `json:"division"` // "" for the whole deployment
	DivisionName string `json:"division_name"`
	CSRFToken    string `json:"csrf_token,omitempty"`
	// MustChange: logged in with a one-time password; nothing but
	// POST /api/v1/session/password is allowed until it is changed.
	MustChange bool `json:"must_change_password,omitempty"`
}

// handleLogin: POST /api/v1/session {"username": …, "password": …}.
func (s *Server) handleLogin(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if body.Username == "" || body.Password == "" {
		return geo.Invalidf("username", "give username and password")
	}
	ttl := s.opts.SessionTTL
	if ttl <= 0 {
		ttl = defaultSession
	}
	p, secret, csrf, err := s.access.Login(c.Request().Context(), body.Username, body.Password, c.RealIP(), ttl)
	if errors.Is(err, access.ErrBadPassword) {
		s.audit(c, access.Entry{Actor: "user:" + clip(body.Username, 64), Action: "login", Outcome: "refused"}, nil, nil)
		return &authError{http.StatusUnauthorized, "wrong user name or password"}
	}
	if err != nil {
		return err
	}
	setPrincipal(c, &p)
	s.audit(c, access.Entry{Action: "login", Target: "user:" + p.Name}, nil, nil)
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: secret, Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(c), MaxAge: int(ttl / time.Second)})
	return c.JSON(http.StatusOK, session{User: p.Name, Role: string(p.Role), Division: p.Division, DivisionName: p.DivisionName, CSRFToken: csrf, MustChange: p.MustChange})
}

// handleSession: GET /api/v1/session, who the request acts as.
func (s *Server) handleSession(c echo.Context) error {
	p := principal(c)
	if p == nil {
		return errLogin
	}
	csrf, _ := c.Get(csrfKey).(string)
	return c.JSON(http.StatusOK, session{User: p.Name, Role: string(p.Role), Division: p.Division, DivisionName: p.DivisionName, CSRFToken: csrf, MustChange: p.MustChange})
}

// handleChangePassword: POST /api/v1/session/password {"current",
// "password"}: the logged-in user's own password (also after a one-time
// one). Every session of the user ends; the page logs in again.
func (s *Server) handleChangePassword(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	p := principal(c)
	if p == nil || p.Via != "session" {
		return errLogin
	}
	want, _ := c.Get(csrfKey).(string)
	if got := c.Request().Header.Get(csrfHeader); want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return &authError{http.StatusForbidden, "send the session's CSRF token in " + csrfHeader}
	}
	var body struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	if len([]rune(body.Password)) < access.MinPassword {
		return geo.Invalidf("password", "at least %d characters", access.MinPassword)
	}
	if body.Password == body.Current {
		return geo.Invalidf("password", "choose a password other than the current one")
	}
	err := s.access.ChangePassword(c.Request().Context(), p.Name, body.Current, body.Password)
	if errors.Is(err, access.ErrBadPassword) {
		s.audit(c, access.Entry{Action: "password.change", Target: "user:" + p.Name, Outcome: "refused"}, nil, nil)
		return geo.Invalidf("current", "the current password is wrong")
	}
	if err != nil {
		return err
	}
	s.audit(c, access.Entry{Action: "password.change", Target: "user:" + p.Name, Outcome: "ok"}, nil, nil)
	return c.NoContent(http.StatusNoContent)
}

// handleLogout: DELETE /api/v1/session.
func (s *Server) handleLogout(c echo.Context) error {
	if err := s.sameSite(c); err != nil {
		return err
	}
	if ck, err := c.Request().Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.access.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
		s.audit(c, access.Entry{Action: "logout"}, nil, nil)
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(c), MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

// handleAudit: GET /api/v1/audit?actor=&action=&since=&until=&before=&limit=,
// what actors of the admin's division (narrowed by division=) and below
// did, whatever --read-scope shows of the map.
func (s *Server) handleAudit(c echo.Context) error {
	q := c.QueryParams()
	f := access.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Limit: 100}
	if p := principal(c); p != nil {
		f.Within = p.Division
	}
	if v := s.viewScope(c); geo.Within(f.Within, v) {
		f.Within = v
	}
	for _, k := range []string{"since", "until"} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return geo.Invalidf(k, "%q is not a time like 2026-11-28T09:00:00+08:00", clip(v, 40))
			}
			if k == "since" {
				f.Since = t
			} else {
				f.Until = t
			}
		}
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			return geo.Invalidf("before", "%q is not an entry id", clip(v, 40))
		}
		f.BeforeID = id
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return geo.Invalidf("limit", "want 1 to 1000, got %q", clip(v, 40))
		}
		f.Limit = n
	}
	entries, err := s.access.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

// secure says whether cookies must be Secure: the request came over
// HTTPS (directly, through the proxy, or as the public URL says).
func (s *Server) secure(c echo.Context) bool {
	return c.Scheme() == "https" || strings.HasPrefix(s.opts.PublicURL, "https://")
}

// cookiePath is the path prefix of the public URL, or /.
func (s *Server) cookiePath() string {
	if i := strings.Index(s.opts.PublicURL, "://"); i >= 0 {
		if j := strings.Index(s.opts.PublicURL[i+3:], "/"); j >= 0 {
			return strings.TrimSuffix(s.opts.PublicURL[i+3+j:], "/") + "/"
		}
	}
	return "/"
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Who reads what: their own division and below, or the whole map.
const (
	ReadScopeOwn = "own"
	ReadScopeAll = "all"
)

// readScope is the division the request reads: its principal's with
// ReadScopeOwn (the default), "" (everything) with ReadScopeAll and for
// anonymous readers of an open map.
func (s *Server) readScope(c echo.Context) string {
	if s.opts.ReadScope == ReadScopeAll {
		return ""
	}
	if p := principal(c); p != nil {
		return p.Division
	}
	return ""
}

// mayRead reports whether the request may see layer l (see
// Options.Restricted).
func (s *Server) mayRead(c echo.Context, l geo.Layer) bool {
	need, ok := s.opts.Restricted[l]
	if !ok {
		return true
	}
	p := principal(c)
	return p != nil && p.Role.Allows(need)
}

// readable drops the layers the request may not see.
func (s *Server) readable(c echo.Context, layers []geo.Layer) []geo.Layer {
	out := layers[:0:0]
	for _, l := range layers {
		if s.mayRead(c, l) {
			out = append(out, l)
		}
	}
	return out
}

// layerAllowed refuses a layer the request may not see, naming the role.
func (s *Server) layerAllowed(c echo.Context, l geo.Layer) error {
	if s.mayRead(c, l) {
		return nil
	}
	if principal(c) == nil {
		return &authError{http.StatusUnauthorized, fmt.Sprintf("the %s layer is restricted: log in", l)}
	}
	return &authError{http.StatusForbidden, fmt.Sprintf("the %s layer needs the %s role", l, s.opts.Restricted[l])}
}
