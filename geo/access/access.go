// Package access is who may do what on the map: roles, the principal a
// request acts as, passwords (argon2id) and the random secrets behind
// sessions and API tokens.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what a user may do. viewer reads (the map wall); dispatcher
// also handles incidents and assignments; editor (a division's data
// keeper) also imports the objects of its division; planner
// also grades objects,
// supervises hidden hazards and draws hazard zones; admin may do
// everything, including imports, users and grading schemes.
type Role string

// The roles.
const (
	Viewer     Role = "viewer"
	Dispatcher Role = "dispatcher"
	Editor     Role = "editor"
	Planner    Role = "planner"
	Admin      Role = "admin"
)

// Roles lists the roles from least to most.
var Roles = []Role{Viewer, Dispatcher, Editor, Planner, Admin}

// ParseRole reads a role by its name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: want viewer, dispatcher, editor, planner or admin", s)
}

// Allows reports whether r may do what needs role need: admin may do
// anything, every role may do what a viewer may, and each other role
// what it is for.
func (r Role) Allows(need Role) bool {
	switch {
	case r == "":
		return false
	case r == Admin, need == Viewer, r == need:
		return true
	}
	return false
}

// Principal is who a request acts as.
type Principal struct {
	UserID int64
	Name   string // the user's name, or the API token's
	Role   Role
	// Via says how it was authenticated: "session", "token" or "cli".
	Via string
	// TokenID is the API token's id when Via is "token".
	TokenID int64
	// Division is the division the principal acts in (the user's, or the
	// token's narrower one): they change only what lies there or below.
	// "" is the whole deployment.
	Division     string
	DivisionName string
	// MustChange says the user logged in with a one-time password and
	// may do nothing but choose their own.
	MustChange bool
}

// readKey is the context key of the division a request reads.
type readKey struct{}

// WithReadScope returns a context whose reads see only what lies in the
// division with code (and below); "" sees everything.
func WithReadScope(ctx context.Context, code string) context.Context {
	return context.WithValue(ctx, readKey{}, code)
}

// ReadScopeFrom is the division ctx reads ("" everything, also when none
// was set).
func ReadScopeFrom(ctx context.Context) string {
	s, _ := ctx.Value(readKey{}).(string)
	return s
}

// actorKey is the context key of the principal a piece of work acts for.
type actorKey struct{}

// WithActor returns a context for work done on behalf of p: the store
// checks every write it makes against p's division.
func WithActor(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, actorKey{}, p)
}

// ActorFrom is the principal ctx acts for; nil for the system itself
// (the command line, migrations, background jobs), whose writes are not
// limited to a division.
func ActorFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(actorKey{}).(*Principal)
	return p
}

// Actor is how records name the principal: "user:NAME", or
// "token:NAME#ID" (token names need not be unique; ids are).
func (p Principal) Actor() string {
	if p.Via == "token" {
		return "token:" + p.Name + "#" + strconv.FormatInt(p.TokenID, 10)
	}
	return "user:" + p.Name
}

// ErrBadPassword is a password that does not match, or a stored hash
// that cannot be read.
var ErrBadPassword = errors.New("wrong user name or password")

// Argon2id parameters (RFC 9106's second recommended option: 64 MiB,
// three passes), and the smallest password accepted.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	MinPassword  = 10
)

// HashPassword hashes a password with argon2id and a random salt, in
// the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(password string) (string, error) {
	if len([]rune(password)) < MinPassword {
		return "", fmt.Errorf("the password is too short: at least %d characters", MinPassword)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// OneTimePassword makes a password an admin hands over once: 16
// characters of base32 (A–Z, 2–7: no 0 or 1 to take for O or I), 80
// random bits.
func OneTimePassword() (string, error) {
	return rand.Text()[:16], nil
}

// CheckPassword compares a password with a hash made by HashPassword
// (with whatever parameters it names), in constant time.
func CheckPassword(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return ErrBadPassword
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 100 {
		return ErrBadPassword
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	key, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 128 {
		return ErrBadPassword
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrBadPassword
	}
	return nil
}

// hashing lets two passwords be hashed at once: each takes 64 MiB, and a
// burst of logins must not take the machine's memory.
var hashing = make(chan struct{}, 2)

func idKey(password, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, t, m, p, n)
}

// NewSecret returns a random secret (256 bits, URL-safe text) and its
// hash, which is what is stored: a session's cookie, a token's secret, a
// CSRF token.
func NewSecret() (secret string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret hashes a secret for storage or lookup. The secrets are
// random and long: a plain SHA-256 is enough (passwords are not secrets
// of this kind).
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// tokenPrefix marks riskmap's API tokens, so that a leaked one is easy
// to recognise and search for.
const tokenPrefix = "rmt_"

// FormatToken makes an API token's text from its id and secret.
func FormatToken(id int64, secret string) string {
	return tokenPrefix + strconv.FormatInt(id, 10) + "_" + secret
}

// ParseToken reads an API token's id and secret.
func ParseToken(s string) (id int64, secret string, ok bool) {
	rest, found := strings.CutPrefix(s, tokenPrefix)
	if !found {
		return 0, "", false
	}
	idText, secret, found := strings.Cut(rest, "_")
	if !found || len(secret) < 20 || len(secret) > 100 {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, secret, true
}

// ValidUserName checks a user's name: 1–64 letters, digits and . _ - @.
func ValidUserName(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("a user name has 1 to 64 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return fmt.Errorf("a user name has letters, digits and . _ - @ only, not %q", r)
		}
	}
	return nil
}

// Entry is one line of the audit log: who did what to what, when and
// from where, and the values before and after (JSON, nil when none).
type Entry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Actor     string          `json:"actor"`
	Role      string          `json:"role,omitempty"`
	Remote    string          `json:"remote,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	Action    string          `json:"action"`
	Target    string          `json:"target,omitempty"`
	Outcome   string          `json:"outcome"` // ok, refused or failed
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	// Division is the actor's ("" for the whole deployment, the command
	// line or nobody).
	Division string `json:"division_code,omitempty"`
}

// AuditFilter selects audit entries: by actor and action (exact, ""
// any), at or after Since and before Until (zero: open), with ids below
// BeforeID (0: from the newest), at most Limit of them; with Within,
// only what actors of that division and below did.
type AuditFilter struct {
	Actor, Action string
	Since, Until  time.Time
	BeforeID      int64
	Limit         int
	Within        string
}

// Token is an API token as an admin lists it (never its secret).
type Token struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	User         string     `json:"user"`
	Role         Role       `json:"role"`
	Division     string     `json:"division"` // "" for the whole deployment
	DivisionName string     `json:"division_name"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	RevokedAt    *time.Time `json:"revoked_at"`
	LastUsedAt   *time.Time `json:"last_used_at"`
}

// User is an account as the commands list it.
type User struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	DisplayName  string `json:"display_name"`
	Role         Role   `json:"role"`
	Disabled     bool   `json:"disabled"`
	Division     string `json:"division"` // "" for the whole deployment
	DivisionName string `json:"division_name"`
}
