package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"riskmap/geo"
	"riskmap/geo/access"
)

// OIDC is a bureau's single sign-on (OpenID Connect): the identity
// provider says who the person is; riskmap's own user of that name (who
// must exist and be enabled) says what they may do.
type OIDC struct {
	Issuer       string // the provider's issuer URL, e.g. https://sso.example.gov.cn/realms/gov
	ClientID     string
	ClientSecret string
	// UsernameClaim is the ID token's claim that names the riskmap user
	// (default preferred_username).
	UsernameClaim string
}

const oidcCookie = "riskmap_oidc" // the state and nonce of a login under way

// oidcClient discovers the provider on first use (it may be down when
// riskmap starts) and keeps what it found.
type oidcClient struct {
	cfg      OIDC
	mu       sync.Mutex
	provider *oidc.Provider
}

func (o *oidcClient) get(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the sign-on provider: %w: %w", err, errUpstream)
	}
	o.provider = p
	return p, nil
}

func (s *Server) oauthConfig(c echo.Context, p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: s.oidc.cfg.ClientID, ClientSecret: s.oidc.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: s.baseURL(c) + "/api/v1/oidc/callback", Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// handleOIDCLogin: GET /api/v1/oidc/login, off to the provider.
func (s *Server) handleOIDCLogin(c echo.Context) error {
	p, err := s.oidc.get(c.Request().Context())
	if err != nil {
		return err
	}
	state, _, err := access.NewSecret()
	if err != nil {
		return err
	}
	nonce, _, err := access.NewSecret()
	if err != nil {
		return err
	}
	// SameSite=Lax: the provider sends the browser back with a top-level
	// GET from its own site.
	c.SetCookie(&http.Cookie{Name: oidcCookie, Value: state + "." + nonce, Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: 600})
	return c.Redirect(http.StatusFound, s.oauthConfig(c, p).AuthCodeURL(state, oidc.Nonce(nonce)))
}

// handleOIDCCallback: GET /api/v1/oidc/callback?code=&state=, back from
// the provider: check what it says, then start a session for the riskmap
// user it names.
func (s *Server) handleOIDCCallback(c echo.Context) error {
	ctx := c.Request().Context()
	ck, err := c.Request().Cookie(oidcCookie)
	state, nonce, ok := strings.Cut(valueOf(ck, err), ".")
	got := c.QueryParam("state")
	if !ok || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return geo.Invalidf("state", "the sign-on came back without the login it belongs to: start it again")
	}
	c.SetCookie(&http.Cookie{Name: oidcCookie, Value: "", Path: s.cookiePath(), HttpOnly: true, MaxAge: -1})
	if e := c.QueryParam("error"); e != "" {
		return &authError{http.StatusUnauthorized, "the sign-on provider refused: " + clip(e, 60)}
	}
	p, err := s.oidc.get(ctx)
	if err != nil {
		return err
	}
	tok, err := s.oauthConfig(c, p).Exchange(ctx, c.QueryParam("code"))
	if err != nil {
		return &authError{http.StatusUnauthorized, "the sign-on provider did not confirm the login"}
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: s.oidc.cfg.ClientID}).Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return &authError{http.StatusUnauthorized, "the sign-on provider's answer is not valid"}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return &authError{http.StatusUnauthorized, "the sign-on provider's answer is not valid"}
	}
	claim := s.oidc.cfg.UsernameClaim
	if claim == "" {
		claim = "preferred_username"
	}
	name, _ := claims[claim].(string)
	ttl := s.opts.SessionTTL
	if ttl <= 0 {
		ttl = defaultSession
	}
	pr, secret, _, err := s.access.StartSession(ctx, name, c.RealIP(), ttl)
	if errors.Is(err, geo.ErrNotFound) {
		s.audit(c, access.Entry{Actor: "sso:" + clip(name, 64), Action: "login", Outcome: "refused"}, nil, map[string]string{"via": "oidc"})
		return &authError{http.StatusForbidden, fmt.Sprintf("you signed on as %q, who is not a riskmap user (or is disabled): ask an administrator", clip(name, 64))}
	}
	if err != nil {
		return err
	}
	setPrincipal(c, &pr)
	s.audit(c, access.Entry{Action: "login", Target: "user:" + pr.Name}, nil, map[string]string{"via": "oidc"})
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: secret, Path: s.cookiePath(), HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(c), MaxAge: int(ttl / time.Second)})
	// The browser came here from the provider's site: a redirect would
	// go on as that site's navigation, without the SameSite=Strict
	// cookie. A page of ours that moves on is our own navigation.
	home := s.baseURL(c) + "/"
	return c.HTML(http.StatusOK, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=`+
		html.EscapeString(home)+`"><title>riskmap</title><p><a href="`+html.EscapeString(home)+`">继续 / Continue</a></p>`)
}

// handleLoginMethods: GET /api/v1/session/methods, what the login form
// offers.
func (s *Server) handleLoginMethods(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]bool{"password": s.access != nil, "oidc": s.oidc != nil})
}

func valueOf(ck *http.Cookie, err error) string {
	if err != nil {
		return ""
	}
	return ck.Value
}
