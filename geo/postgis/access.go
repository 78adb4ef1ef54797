package postgis

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"riskmap/geo"
	"riskmap/geo/access"
)

// AddUser adds a user with a password hash (access.HashPassword) in a
// division ("" for the whole deployment). A name in use is
// geo.ErrConflict; an unknown division a geo.ParamError naming it.
func (s *Store) AddUser(ctx context.Context, name, display string, role access.Role, hash, division string) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.checkDivision(ctx, tx, "division", division); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, s.q.get("user_add"), name, display, string(role), hash, nullIfEmpty(division)).Scan(&id)
		if isUniqueViolation(err) {
			return fmt.Errorf("user %q exists already: %w", name, geo.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("add user %q: %w", name, classify(err))
		}
		return nil
	})
	return id, err
}

// SetUserDivision moves a user to another division ("" for the whole
// deployment); tokens of theirs that reached further are narrowed to it.
func (s *Store) SetUserDivision(ctx context.Context, name, division string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if err := s.checkDivision(ctx, tx, "division", division); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRow(ctx, s.q.get("user_set_division"), name, nullIfEmpty(division)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %q: %w", name, geo.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("move user %q: %w", name, classify(err))
		}
		return nil
	})
}

// checkDivision refuses a division code that is not loaded, naming it
// and param ("" passes: the whole deployment).
func (s *Store) checkDivision(ctx context.Context, q querier, param, code string) error {
	if code == "" {
		return nil
	}
	if err := geo.CheckDivisionCode(code); err != nil {
		return geo.Invalidf(param, "%s", err.Error())
	}
	var name, level, parent string
	var local bool
	err := q.QueryRow(ctx, s.q.get("division_get"), code).Scan(&name, &level, &parent, &local)
	if errors.Is(err, pgx.ErrNoRows) {
		return geo.Invalidf(param, "no division with code %s is loaded", code)
	}
	if err != nil {
		return fmt.Errorf("read division %s: %w", code, classify(err))
	}
	return nil
}

// SetPassword sets a user's password hash and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.userChange(ctx, "user_passwd", name, hash)
}

// ChangePassword sets a user's own password after checking their current
// one (access.ErrBadPassword when it is wrong, or the user is disabled);
// their sessions end.
func (s *Store) ChangePassword(ctx context.Context, name, current, next string) error {
	var (
		id                   int64
		role, hash, div, dvn string
		disabled, must       bool
	)
	err := s.pool.QueryRow(ctx, s.q.get("user_login"), name).Scan(&id, &role, &hash, &disabled, &div, &dvn, &must)
	if errors.Is(err, pgx.ErrNoRows) {
		return access.ErrBadPassword
	}
	if err != nil {
		return fmt.Errorf("change the password of %q: %w", name, classify(err))
	}
	if err := access.CheckPassword(hash, current); err != nil || disabled {
		return access.ErrBadPassword
	}
	h, err := access.HashPassword(next)
	if err != nil {
		return geo.Invalidf("password", "%s", err.Error())
	}
	return s.userChange(access.WithActor(ctx, nil), "user_passwd", name, h)
}

// ResetPassword gives a user the one-time password of hash: enabled
// again if they were disabled, their sessions ended, and bound to choose
// their own password at their next login (Principal.MustChange).
func (s *Store) ResetPassword(ctx context.Context, name, hash string) error {
	return s.userChange(ctx, "user_reset", name, hash)
}

// DisableUser disables a user: their sessions end, their tokens stop
// working, and they cannot log in.
func (s *Store) DisableUser(ctx context.Context, name string) error {
	return s.userChange(ctx, "user_disable", name)
}

func (s *Store) userChange(ctx context.Context, q, name string, args ...any) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, s.q.get(q), append([]any{name}, args...)...).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("user %q: %w", name, geo.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("change user %q: %w", name, classify(err))
		}
		if _, err := tx.Exec(ctx, s.q.get("session_delete_user"), id); err != nil {
			return fmt.Errorf("end the sessions of %q: %w", name, classify(err))
		}
		return nil
	})
}

// Users lists every user; with a principal in ctx, only those of its
// division and below.
func (s *Store) Users(ctx context.Context) ([]access.User, error) {
	rows, err := s.pool.Query(ctx, s.q.get("user_list"), managed(ctx))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", classify(err))
	}
	var out []access.User
	var u access.User
	var role string
	_, err = pgx.ForEachRow(rows, []any{&u.ID, &u.Name, &u.DisplayName, &role, &u.Disabled, &u.Division, &u.DivisionName}, func() error {
		u.Role = access.Role(role)
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", classify(err))
	}
	return out, nil
}

// managed is the division whose users (and their tokens) the actor of
// ctx manages, as the list queries take it: nil for everyone.
func managed(ctx context.Context) any {
	if p := access.ActorFrom(ctx); p != nil && p.Division != "" {
		return p.Division
	}
	return nil
}

// Tokens lists the API tokens of the users the actor of ctx may manage
// (of their division and below), newest first.
func (s *Store) Tokens(ctx context.Context) ([]access.Token, error) {
	rows, err := s.pool.Query(ctx, s.q.get("token_list"), managed(ctx))
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (access.Token, error) {
		var t access.Token
		var role string
		err := r.Scan(&t.ID, &t.Name, &t.User, &role, &t.Division, &t.DivisionName, &t.CreatedBy, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
		t.Role = access.Role(role)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", classify(err))
	}
	return out, nil
}

// Login checks a user's password and starts a session of the given
// length; it returns the principal, the session's secret (the cookie)
// and its CSRF token. A wrong name or password, or a disabled user, is
// access.ErrBadPassword, whichever it was.
func (s *Store) Login(ctx context.Context, name, password, remote string, ttl time.Duration) (access.Principal, string, string, error) {
	var (
		p        access.Principal
		role     string
		hash     string
		disabled bool
	)
	err := s.pool.QueryRow(ctx, s.q.get("user_login"), name).Scan(&p.UserID, &role, &hash, &disabled, &p.Division, &p.DivisionName, &p.MustChange)
	if errors.Is(err, pgx.ErrNoRows) {
		// Hash anyway, so that a missing user takes as long as a wrong
		// password.
		access.CheckPassword(dummyHash(), password)
		return p, "", "", access.ErrBadPassword
	}
	if err != nil {
		return p, "", "", fmt.Errorf("log in: %w", classify(err))
	}
	if err := access.CheckPassword(hash, password); err != nil || disabled {
		return access.Principal{}, "", "", access.ErrBadPassword
	}
	p.Name, p.Role = name, access.Role(role)
	return s.startSession(ctx, p, remote, ttl)
}

// StartSession starts a session for an enabled user whom someone else
// has authenticated (a single sign-on); geo.ErrNotFound when there is no
// such user, or they are disabled.
func (s *Store) StartSession(ctx context.Context, name, remote string, ttl time.Duration) (access.Principal, string, string, error) {
	var (
		p          access.Principal
		role, hash string
		disabled   bool
	)
	err := s.pool.QueryRow(ctx, s.q.get("user_login"), name).Scan(&p.UserID, &role, &hash, &disabled, &p.Division, &p.DivisionName, &p.MustChange)
	if errors.Is(err, pgx.ErrNoRows) || disabled {
		return access.Principal{}, "", "", fmt.Errorf("user %q: %w", name, geo.ErrNotFound)
	}
	if err != nil {
		return access.Principal{}, "", "", fmt.Errorf("start a session: %w", classify(err))
	}
	p.Name, p.Role = name, access.Role(role)
	return s.startSession(ctx, p, remote, ttl)
}

func (s *Store) startSession(ctx context.Context, p access.Principal, remote string, ttl time.Duration) (access.Principal, string, string, error) {
	p.Via = "session"
	secret, secretHash, err := access.NewSecret()
	if err != nil {
		return p, "", "", err
	}
	csrf, _, err := access.NewSecret()
	if err != nil {
		return p, "", "", err
	}
	if _, err := s.pool.Exec(ctx, s.q.get("session_create"), secretHash, p.UserID, csrf, remote, time.Now().Add(ttl)); err != nil {
		return p, "", "", fmt.Errorf("start a session: %w", classify(err))
	}
	return p, secret, csrf, nil
}

// dummyHash is checked against when there is no such user.
var dummyHash = sync.OnceValue(func() string {
	h, _ := access.HashPassword("no such user, no such password")
	return h
})

// Session returns the principal of a live session and its CSRF token;
// geo.ErrNotFound when there is none.
func (s *Store) Session(ctx context.Context, secret string) (access.Principal, string, error) {
	var p access.Principal
	var role, csrf string
	err := s.pool.QueryRow(ctx, s.q.get("session_get"), access.HashSecret(secret)).Scan(&p.UserID, &p.Name, &role, &csrf, &p.Division, &p.DivisionName, &p.MustChange)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, "", geo.ErrNotFound
	}
	if err != nil {
		return p, "", fmt.Errorf("read the session: %w", classify(err))
	}
	p.Role, p.Via = access.Role(role), "session"
	return p, csrf, nil
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, secret string) error {
	if _, err := s.pool.Exec(ctx, s.q.get("session_delete"), access.HashSecret(secret)); err != nil {
		return fmt.Errorf("end the session: %w", classify(err))
	}
	return nil
}

// CreateToken creates an API token for an enabled user, with a role the
// user has (or less; role "": the user's), in the user's division or one
// below it (division "": the user's), valid until expires. It returns the token's text,
// which is shown once: only its hash is kept.
func (s *Store) CreateToken(ctx context.Context, name, user string, role access.Role, division string, expires time.Time, by string) (int64, access.Role, string, error) {
	var id int64
	var text string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var p access.Principal
		var userRole, hash string
		var disabled bool
		err := tx.QueryRow(ctx, s.q.get("user_login"), user).Scan(&p.UserID, &userRole, &hash, &disabled, &p.Division, &p.DivisionName, new(bool))
		if errors.Is(err, pgx.ErrNoRows) || disabled {
			return fmt.Errorf("user %q: %w", user, geo.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("create a token: %w", classify(err))
		}
		if role == "" {
			role = access.Role(userRole)
		}
		if !access.Role(userRole).Allows(role) {
			return fmt.Errorf("user %q is %s: a token of theirs cannot be %s: %w", user, userRole, role, geo.ErrInvalid)
		}
		if division == "" {
			division = p.Division
		} else if err := s.checkDivision(ctx, tx, "division", division); err != nil {
			return err
		} else if !geo.Within(p.Division, division) {
			return geo.Invalidf("division", "user %s works in %s: a token of theirs cannot act in %s", user, orWhole(p.Division), division)
		}
		secret, secretHash, err := access.NewSecret()
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, s.q.get("token_create"), name, p.UserID, string(role), secretHash, by, expires, nullIfEmpty(division)).Scan(&id); err != nil {
			return fmt.Errorf("create a token: %w", classify(err))
		}
		text = access.FormatToken(id, secret)
		return nil
	})
	return id, role, text, err
}

func orWhole(division string) string {
	if division == "" {
		return "the whole deployment"
	}
	return division
}

// Token returns the principal of a live API token (its text as
// FormatToken made it); geo.ErrNotFound when it is unknown, revoked,
// expired, or its user disabled.
func (s *Store) Token(ctx context.Context, text string) (access.Principal, error) {
	var p access.Principal
	id, secret, ok := access.ParseToken(text)
	if !ok {
		return p, geo.ErrNotFound
	}
	var role string
	var stored []byte
	err := s.pool.QueryRow(ctx, s.q.get("token_get"), id).Scan(&p.UserID, &p.Name, &role, &stored, &p.Division, &p.DivisionName)
	if errors.Is(err, pgx.ErrNoRows) {
		return access.Principal{}, geo.ErrNotFound
	}
	if err != nil {
		return access.Principal{}, fmt.Errorf("read the token: %w", classify(err))
	}
	if subtle.ConstantTimeCompare(access.HashSecret(secret), stored) != 1 {
		return access.Principal{}, geo.ErrNotFound
	}
	p.Role, p.Via, p.TokenID = access.Role(role), "token", id
	return p, nil
}

// RevokeToken revokes a token; it returns the token's name.
func (s *Store) RevokeToken(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, s.q.get("token_revoke"), id).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("token %d: %w", id, geo.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, classify(err))
		}
		return nil
	})
	return name, err
}

// Audit appends an entry to the audit log. Before and After are encoded
// as JSON (nil: none).
func (s *Store) Audit(ctx context.Context, e access.Entry, before, after any) error {
	enc := func(v any) ([]byte, error) {
		if v == nil {
			return nil, nil
		}
		if raw, ok := v.(json.RawMessage); ok {
			if len(raw) == 0 {
				return nil, nil
			}
			return raw, nil
		}
		b, err := json.Marshal(v)
		if bytes.Equal(b, []byte("null")) {
			return nil, err
		}
		return b, err
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("audit %s: encode before: %w", e.Action, err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("audit %s: encode after: %w", e.Action, err)
	}
	if e.Outcome == "" {
		e.Outcome = "ok"
	}
	var division any
	if e.Division != "" {
		division = e.Division
	}
	if _, err := s.pool.Exec(ctx, s.q.get("audit_append"), e.Actor, e.Role, e.Remote, e.RequestID, e.Action, e.Target, e.Outcome, b, a, division); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, classify(err))
	}
	return nil
}

// AuditLog reads the audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, f access.AuditFilter) ([]access.Entry, error) {
	var since, until *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	if !f.Until.IsZero() {
		until = &f.Until
	}
	var within any
	if f.Within != "" {
		within = geo.DivisionPrefix(f.Within)
	}
	rows, err := s.pool.Query(ctx, s.q.get("audit_list"), f.Actor, f.Action, since, until, f.BeforeID, f.Limit, within)
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", classify(err))
	}
	out := []access.Entry{}
	var e access.Entry
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.At, &e.Actor, &e.Role, &e.Remote, &e.RequestID, &e.Action, &e.Target, &e.Outcome, &e.Before, &e.After, &e.Division}, func() error {
		e.Before = append(json.RawMessage(nil), e.Before...)
		e.After = append(json.RawMessage(nil), e.After...)
		if len(e.Before) == 0 {
			e.Before = nil
		}
		if len(e.After) == 0 {
			e.After = nil
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", classify(err))
	}
	return out, nil
}
