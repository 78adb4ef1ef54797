package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/web"
)

// call makes a request with an optional bearer token and extra headers;
// it returns the status and body.
func call(t *testing.T, client *http.Client, method, url, body, token string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// writes are every route that changes something, with the role it needs
// and a body for it (valid or not: what matters is who gets past the
// door).
var writes = []struct {
	method, path, body string
	need               access.Role
}{
	{"POST", "/api/v1/imports", "", access.Editor},
	{"PUT", "/api/v1/import-templates", `{}`, access.Editor},
	{"POST", "/api/v1/objects/1/assessments", `{"inputs": {"lec_l": 6, "lec_e": 3, "lec_c": 15}}`, access.Planner},
	{"POST", "/api/v1/hidden-hazards", `{}`, access.Planner},
	{"POST", "/api/v1/hidden-hazards/1/steps", `{"action": "start"}`, access.Planner},
	{"POST", "/api/v1/hidden-hazards/1/supervisions", `{"mode": "listed"}`, access.Planner},
	{"POST", "/api/v1/supervisions/1/acknowledge", "", access.Planner},
	{"POST", "/api/v1/supervisions/1/feedback", `{"note": "x"}`, access.Planner},
	{"POST", "/api/v1/supervisions/1/lift", `{"note": "x"}`, access.Planner},
	{"GET", "/api/v1/audit", "", access.Admin},
	{"POST", "/api/v1/incidents", `{}`, access.Dispatcher},
	{"PATCH", "/api/v1/incidents/1", `{"status": "closed"}`, access.Dispatcher},
	{"POST", "/api/v1/incidents/1/assignments", `{"resource_id": 1}`, access.Dispatcher},
	{"DELETE", "/api/v1/incidents/1/assignments/2", "", access.Dispatcher},
	{"POST", "/api/v1/resources/1/positions", `{"lon": 119.9, "lat": 28.4}`, access.Dispatcher},
	{"POST", "/api/v1/incidents/1/receipts", "", access.Dispatcher},
	{"POST", "/api/v1/zones", `{}`, access.Planner},
	{"PUT", "/api/v1/zones/1", `{}`, access.Planner},
	{"DELETE", "/api/v1/zones/1", "", access.Planner},
	{"POST", "/api/v1/zones/1/versions/3/restore", "", access.Planner},
	{"POST", "/api/v1/zones/1/split", `{}`, access.Planner},
	{"POST", "/api/v1/zones/merge", `{}`, access.Planner},
	{"GET", "/api/v1/users", "", access.Admin},
	{"POST", "/api/v1/users", `{}`, access.Admin},
	{"PATCH", "/api/v1/users/nobody", `{}`, access.Admin},
	{"POST", "/api/v1/users/nobody/password", "", access.Admin},
	{"POST", "/api/v1/grading/switch", `{"kind": "rule", "key": "R7", "reason": "x", "dry_run": true}`, access.Admin},
	{"POST", "/api/v1/grading/load", `{"reason": "x", "dry_run": true, "set": {}}`, access.Admin},
	{"GET", "/api/v1/tokens", "", access.Admin},
	{"POST", "/api/v1/tokens", `{}`, access.Admin},
	{"DELETE", "/api/v1/tokens/1", "", access.Admin},
}

// TestEveryWriteNeedsItsRole tries every write as nobody and as each
// role: nobody gets 401, a role that may not gets 403, a role that may
// gets past the door (whatever the handler then says).
func TestEveryWriteNeedsItsRole(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{})
	// Every route that is not a plain read is in the table (the login
	// routes are for everyone).
	h := authHandler(t, store, web.Options{}).(*web.Server)
	listed := map[string]bool{"POST /api/v1/session": true, "DELETE /api/v1/session": true, "POST /api/v1/session/password": true}
	for _, w := range writes {
		p := strings.NewReplacer("/1/", "/:id/", "assignments/2", "assignments/:resource", "versions/3/", "versions/:version/", "users/nobody", "users/:name").Replace(w.path)
		if strings.HasSuffix(p, "/1") {
			p = strings.TrimSuffix(p, "/1") + "/:id"
		}
		listed[w.method+" "+p] = true
	}
	for _, r := range h.Routes() {
		if !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "HEAD ") && !listed[r] {
			t.Errorf("route %s is not in the table of writes", r)
		}
	}
	tokens := map[access.Role]string{}
	for _, r := range access.Roles {
		tokens[r] = newToken(t, store, r)
	}
	for _, w := range writes {
		for _, who := range append([]access.Role{""}, access.Roles...) {
			t.Run(fmt.Sprintf("%s %s as %s", w.method, w.path, who), func(t *testing.T) {
				status, body, hdr := call(t, http.DefaultClient, w.method, srv.URL+w.path, w.body, tokens[who], nil)
				switch {
				case who == "":
					if status != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") == "" || !strings.Contains(body, "log in") {
						t.Errorf("anonymous: %d %s, want 401 asking to log in", status, body)
					}
				case !who.Allows(w.need):
					if status != http.StatusForbidden || !strings.Contains(body, "needs the "+string(w.need)+" role") {
						t.Errorf("%s: %d %s, want 403 naming the role", who, status, body)
					}
				default:
					if status == http.StatusUnauthorized || status == http.StatusForbidden || status >= 500 {
						t.Errorf("%s: %d %s, want past the door", who, status, body)
					}
				}
			})
		}
	}
}

// TestSessionsAndCSRF logs in with a password: the cookie is HttpOnly and
// SameSite; a write with the cookie needs the session's CSRF token; the
// logout ends it.
func TestSessionsAndCSRF(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{})
	name := newUser(t, store, access.Planner)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/session", `{"username": "`+name+`", "password": "wrong password!"}`, "", nil); status != http.StatusUnauthorized || !strings.Contains(body, "wrong user name or password") {
		t.Fatalf("wrong password: %d %s", status, body)
	}
	if status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/session", `{"username": "nobody-here", "password": "password for tests"}`, "", nil); status != http.StatusUnauthorized || !strings.Contains(body, "wrong user name or password") {
		t.Fatalf("unknown user: %d %s (must read as a wrong password)", status, body)
	}
	status, body, hdr := call(t, client, "POST", srv.URL+"/api/v1/session", `{"username": "`+name+`", "password": "password for tests"}`, "", nil)
	if status != http.StatusOK {
		t.Fatalf("login: %d %s", status, body)
	}
	ck := hdr.Get("Set-Cookie")
	if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Strict") || strings.Contains(ck, "Secure") {
		t.Errorf("cookie %q: want HttpOnly, SameSite=Strict, and not Secure over plain HTTP", ck)
	}
	var sess struct {
		User, Role string
		CSRF       string `json:"csrf_token"`
	}
	json.Unmarshal([]byte(body), &sess)
	if sess.User != name || sess.Role != "planner" || len(sess.CSRF) < 20 {
		t.Fatalf("login answered %s", body)
	}
	if status, body, _ := call(t, client, "GET", srv.URL+"/api/v1/session", "", "", nil); status != http.StatusOK || !strings.Contains(body, sess.CSRF) {
		t.Errorf("GET session: %d %s", status, body)
	}
	assess := srv.URL + "/api/v1/objects/1/assessments"
	in := `{"inputs": {"lec_l": 6, "lec_e": 3, "lec_c": 15}}`
	if status, body, _ := call(t, client, "POST", assess, in, "", nil); status != http.StatusForbidden || !strings.Contains(body, "X-CSRF-Token") {
		t.Errorf("write without the CSRF token: %d %s, want 403", status, body)
	}
	if status, body, _ := call(t, client, "POST", assess, in, "", map[string]string{"X-CSRF-Token": "not-it"}); status != http.StatusForbidden {
		t.Errorf("write with a wrong CSRF token: %d %s, want 403", status, body)
	}
	if status, body, _ := call(t, client, "POST", assess, in, "", map[string]string{"X-CSRF-Token": sess.CSRF, "Origin": "http://evil.example"}); status != http.StatusForbidden {
		t.Errorf("write from another site: %d %s, want 403", status, body)
	}
	if status, body, _ := call(t, client, "POST", assess, in, "", map[string]string{"X-CSRF-Token": sess.CSRF}); status == http.StatusUnauthorized || status == http.StatusForbidden {
		t.Errorf("write with the CSRF token: %d %s", status, body)
	}
	if status, _, _ := call(t, client, "DELETE", srv.URL+"/api/v1/session", "", "", nil); status != http.StatusNoContent {
		t.Errorf("logout: %d", status)
	}
	if status, _, _ := call(t, client, "GET", srv.URL+"/api/v1/session", "", "", nil); status != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", status)
	}
	// The password changes: the old sessions end.
	status, body, _ = call(t, client, "POST", srv.URL+"/api/v1/session", `{"username": "`+name+`", "password": "password for tests"}`, "", nil)
	if status != http.StatusOK {
		t.Fatalf("login again: %d %s", status, body)
	}
	h, _ := access.HashPassword("another password")
	if err := store.SetPassword(context.Background(), name, h); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := call(t, client, "GET", srv.URL+"/api/v1/session", "", "", nil); status != http.StatusUnauthorized {
		t.Errorf("session after a password change: %d, want 401", status)
	}
}

// TestTokensThatNoLongerWork: revoked, expired, of a disabled user, or
// mangled.
func TestTokensThatNoLongerWork(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{ReadAccess: web.ReadLogin})
	ctx := context.Background()
	who := newUser(t, store, access.Admin)
	mk := func(until time.Time) (int64, string) {
		id, _, tok, err := store.CreateToken(ctx, "k", who, access.Viewer, "", until, "test")
		if err != nil {
			t.Fatal(err)
		}
		return id, tok
	}
	ok := func(tok string) int {
		status, _, _ := call(t, http.DefaultClient, "GET", srv.URL+"/config.json", "", tok, nil)
		return status
	}
	_, live := mk(time.Now().Add(time.Hour))
	if s := ok(live); s != http.StatusOK {
		t.Fatalf("a live token: %d", s)
	}
	id, revoked := mk(time.Now().Add(time.Hour))
	if _, err := store.RevokeToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, expired := mk(time.Now().Add(-time.Minute))
	for name, tok := range map[string]string{"revoked": revoked, "expired": expired, "mangled": live[:len(live)-2] + "xx", "not a token": "abc"} {
		if s := ok(tok); s != http.StatusUnauthorized {
			t.Errorf("%s token: %d, want 401", name, s)
		}
	}
	if _, _, _, err := store.CreateToken(ctx, "k", who, access.Role("root"), "", time.Now().Add(time.Hour), "test"); err == nil {
		t.Error("a token of an unknown role was created")
	}
	planner := newUser(t, store, access.Planner)
	if _, _, _, err := store.CreateToken(ctx, "k", planner, access.Admin, "", time.Now().Add(time.Hour), "test"); err == nil {
		t.Error("a planner made an admin token")
	}
	if err := store.DisableUser(ctx, who); err != nil {
		t.Fatal(err)
	}
	if s := ok(live); s != http.StatusUnauthorized {
		t.Errorf("the token of a disabled user: %d, want 401", s)
	}
}

// TestReadAccess: open reads need nothing; with login they need a
// session or a token, except health and the page itself.
func TestReadAccess(t *testing.T) {
	store, _ := writableStore(t)
	open := authServer(t, store, web.Options{})
	closed := authServer(t, store, web.Options{ReadAccess: web.ReadLogin})
	viewer := newToken(t, store, access.Viewer)
	for _, path := range []string{"/config.json", "/tiles/enterprises/8/213/110.mvt", "/ogc/collections/enterprises/items?limit=1", "/api/v1/stats/regions"} {
		if s, b, _ := call(t, http.DefaultClient, "GET", open.URL+path, "", "", nil); s != http.StatusOK && s != http.StatusNoContent {
			t.Errorf("open %s: %d %.100s", path, s, b)
		}
		if s, _, _ := call(t, http.DefaultClient, "GET", closed.URL+path, "", "", nil); s != http.StatusUnauthorized {
			t.Errorf("login %s anonymously: %d, want 401", path, s)
		}
		if s, b, _ := call(t, http.DefaultClient, "GET", closed.URL+path, "", viewer, nil); s != http.StatusOK && s != http.StatusNoContent {
			t.Errorf("login %s as a viewer: %d %.100s", path, s, b)
		}
	}
	for _, path := range []string{"/healthz", "/"} {
		if s, _, _ := call(t, http.DefaultClient, "GET", closed.URL+path, "", "", nil); s != http.StatusOK {
			t.Errorf("login %s anonymously: %d, want 200", path, s)
		}
	}
}

// TestAuditLog: writes and refusals are in the log with who, from where
// and what; only admins read it; the database refuses to change it.
func TestAuditLog(t *testing.T) {
	store, db := writableStore(t)
	srv := authServer(t, store, web.Options{})
	planner, admin := newToken(t, store, access.Planner), newToken(t, store, access.Admin)
	viewer := newToken(t, store, access.Viewer)
	in := `{"inputs": {"lec_l": 6, "lec_e": 3, "lec_c": 15}}`
	var id int64
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), "SELECT id FROM risk_object WHERE category = 'enterprises' AND retired_at IS NULL ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if s, b, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), in, planner, nil); s != http.StatusCreated {
		t.Fatalf("assess: %d %s", s, b)
	}
	call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), in, viewer, nil)
	if s, _, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/audit", "", planner, nil); s != http.StatusForbidden {
		t.Errorf("a planner read the audit log: %d", s)
	}
	s, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/audit?action=assess", "", admin, nil)
	if s != http.StatusOK {
		t.Fatalf("audit: %d %s", s, body)
	}
	var got struct{ Entries []access.Entry }
	json.Unmarshal([]byte(body), &got)
	if len(got.Entries) != 2 {
		t.Fatalf("audit entries %s, want the refusal and the assessment", body)
	}
	refused, done := got.Entries[0], got.Entries[1]
	if refused.Outcome != "refused" || !strings.HasPrefix(refused.Actor, "token:viewer") || refused.Role != "viewer" {
		t.Errorf("the refusal: %+v", refused)
	}
	if done.Outcome != "ok" || !strings.HasPrefix(done.Actor, "token:planner") || done.Remote != "127.0.0.1" || done.Target != fmt.Sprintf("object:%d", id) ||
		!strings.Contains(string(done.After), `"assessment_id"`) || !strings.Contains(string(done.Before), `"grade"`) || done.RequestID == "" {
		t.Errorf("the assessment: %+v (after %s)", done, done.After)
	}
	for _, bad := range []string{"?since=yesterday", "?limit=0", "?before=x"} {
		if s, b, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/audit"+bad, "", admin, nil); s != http.StatusBadRequest {
			t.Errorf("audit%s: %d %s, want 400", bad, s, b)
		}
	}
	for _, q := range []string{"UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"} {
		if _, err := conn.Exec(context.Background(), q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
}

// TestLoginRateLimit: after a burst, logins from one address wait.
func TestLoginRateLimit(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{})
	var last int
	var hdr http.Header
	for i := 0; i < 12; i++ {
		last, _, hdr = call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/session", `{"username": "x", "password": "wrong wrong"}`, "", nil)
	}
	if last != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Errorf("the 12th login in a row: %d (Retry-After %q), want 429 with Retry-After", last, hdr.Get("Retry-After"))
	}
}

// TestSecurityHeaders: the page and the API carry them.
func TestSecurityHeaders(t *testing.T) {
	srv, _ := demoServer(t)
	for _, path := range []string{"/", "/config.json", "/api/v1/nothing"} {
		_, _, hdr := call(t, http.DefaultClient, "GET", srv.URL+path, "", "", nil)
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "'sha256-") || hdr.Get("X-Frame-Options") != "DENY" || hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, hdr)
		}
	}
}

// TestTwoPlannersSaveOneObject: both read the object (its ETag), both
// assess it with If-Match; the first wins, the second gets 409 and
// changes nothing; read again, the second succeeds.
func TestTwoPlannersSaveOneObject(t *testing.T) {
	store, db := writableStore(t)
	srv := authServer(t, store, web.Options{})
	a, b := newToken(t, store, access.Planner), newToken(t, store, access.Planner)
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var id int64
	if err := conn.QueryRow(context.Background(), "SELECT id FROM risk_object WHERE category = 'enterprises' AND retired_at IS NULL ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	item := fmt.Sprintf("%s/ogc/collections/enterprises/items/%d", srv.URL, id)
	read := func(tok string) string {
		_, _, hdr := call(t, http.DefaultClient, "GET", item, "", tok, nil)
		if hdr.Get("ETag") == "" {
			t.Fatal("the item has no ETag")
		}
		return hdr.Get("ETag")
	}
	etagA, etagB := read(a), read(b)
	assess := fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id)
	if s, body, _ := call(t, http.DefaultClient, "POST", assess, `{"inputs": {"lec_l": 6, "lec_e": 6, "lec_c": 15}}`, a, map[string]string{"If-Match": etagA}); s != http.StatusCreated {
		t.Fatalf("the first save: %d %s", s, body)
	}
	records := func() (n int) {
		conn.QueryRow(context.Background(), "SELECT count(*) FROM risk_assessment WHERE object_id = $1", id).Scan(&n)
		return n
	}
	before := records()
	s, body, _ := call(t, http.DefaultClient, "POST", assess, `{"inputs": {"lec_l": 1, "lec_e": 1, "lec_c": 1}}`, b, map[string]string{"If-Match": etagB})
	if s != http.StatusConflict || !strings.Contains(body, "changed since you read it") {
		t.Errorf("the second save on a stale read: %d %s, want 409", s, body)
	}
	if records() != before {
		t.Error("the refused save wrote an assessment")
	}
	if etag := read(b); etag == etagB {
		t.Error("the ETag did not change with the object")
	} else if s, body, _ := call(t, http.DefaultClient, "POST", assess, `{"inputs": {"lec_l": 1, "lec_e": 1, "lec_c": 1}}`, b, map[string]string{"If-Match": etag}); s != http.StatusCreated {
		t.Errorf("the second save after reading again: %d %s", s, body)
	}
}

// TestRestrictedLayer: rescue resources restricted to dispatchers are
// left out of a viewer's tiles and refused as features, and seen by a
// dispatcher (and an admin).
func TestRestrictedLayer(t *testing.T) {
	store, db := writableStore(t)
	srv := authServer(t, store, web.Options{Restricted: map[geo.Layer]access.Role{geo.Layer("rescue_resources"): access.Dispatcher}})
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tok := map[access.Role]string{}
	for _, r := range access.Roles {
		tok[r] = newToken(t, store, r)
	}
	tile := maptile.At([2]float64{119.92, 28.45}, 10)
	tileURL := fmt.Sprintf("%s/tiles/rescue_resources,shelters/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y)
	// An incident with a resource assigned: its detail names the resource.
	var sent int64
	if err := conn.QueryRow(context.Background(), "SELECT id FROM risk_object WHERE category = 'rescue_resources' ORDER BY id LIMIT 1").Scan(&sent); err != nil {
		t.Fatal(err)
	}
	st, body, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/incidents", `{"kind": "fire", "level": "III", "title": "受限测试", "lon": 119.92, "lat": 28.45}`, tok[access.Dispatcher], nil)
	var in struct{ ID int64 }
	if st != http.StatusCreated || json.Unmarshal([]byte(body), &in) != nil {
		t.Fatalf("report: %d %s", st, body)
	}
	if st, body, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", srv.URL, in.ID), fmt.Sprintf(`{"resource_id": %d}`, sent), tok[access.Dispatcher], nil); st != http.StatusCreated {
		t.Fatalf("assign: %d %s", st, body)
	}
	for _, tc := range []struct {
		role    access.Role
		sees    bool
		status  int
		inIndex bool
	}{
		{"", false, http.StatusUnauthorized, false},
		{access.Viewer, false, http.StatusForbidden, false},
		{access.Planner, false, http.StatusForbidden, false},
		{access.Dispatcher, true, http.StatusOK, true},
		{access.Admin, true, http.StatusOK, true},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			s, body, _ := call(t, http.DefaultClient, "GET", tileURL, "", tok[tc.role], nil)
			if s != http.StatusOK {
				t.Fatalf("tile: %d", s)
			}
			layers, err := mvt.Unmarshal([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, l := range layers {
				got[l.Name] = len(l.Features)
			}
			if (got["rescue_resources"] > 0) != tc.sees || got["shelters"] == 0 {
				t.Errorf("tile layers %v: want rescue resources %v, shelters always", got, tc.sees)
			}
			if s, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/ogc/collections/rescue_resources/items?limit=1", "", tok[tc.role], nil); s != tc.status {
				t.Errorf("items: %d %s, want %d", s, body, tc.status)
			}
			var rid int64
			if err := conn.QueryRow(context.Background(), "SELECT id FROM risk_object WHERE category = 'rescue_resources' LIMIT 1").Scan(&rid); err != nil {
				t.Fatal(err)
			}
			if s, body, _ := call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/api/v1/objects/%d/history", srv.URL, rid), "", tok[tc.role], nil); s != tc.status {
				t.Errorf("history of a rescue resource: %d %s, want %d", s, body, tc.status)
			}
			if tc.role != "" {
				_, body, _ := call(t, http.DefaultClient, "GET", fmt.Sprintf("%s/api/v1/incidents/%d", srv.URL, in.ID), "", tok[tc.role], nil)
				if strings.Contains(body, fmt.Sprintf(`"resource_id":%d`, sent)) != tc.sees {
					t.Errorf("incident detail names the resource sent: %v, want %v: %.300s", !tc.sees, tc.sees, body)
				}
			}
			_, body, _ = call(t, http.DefaultClient, "GET", srv.URL+"/ogc/collections", "", tok[tc.role], nil)
			if strings.Contains(body, `"id":"rescue_resources"`) != tc.inIndex {
				t.Errorf("collections list rescue_resources: %v, want %v", strings.Contains(body, `"id":"rescue_resources"`), tc.inIndex)
			}
		})
	}
}

// TestForwardedForIsNotTrustedFromAfar: only a proxy on this machine may
// say who the client is; the login limit and the audit log see through a
// client's own X-Forwarded-For.
func TestForwardedForIsNotTrustedFromAfar(t *testing.T) {
	store, _ := writableStore(t)
	h := authHandler(t, store, web.Options{})
	var last int
	for i := 0; i < 12; i++ {
		req := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username": "x", "password": "wrong wrong"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "10.1.2.3:4567" // a client on the intranet, not a proxy
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		last = rec.Code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("12 logins with made-up X-Forwarded-For: the last got %d, want 429", last)
	}
	entries, err := store.AuditLog(context.Background(), access.AuditFilter{Action: "login", Limit: 1})
	if err != nil || len(entries) != 1 || entries[0].Remote != "10.1.2.3" {
		t.Errorf("the audit log names %+v (%v), want the connection's address", entries, err)
	}
}

// TestTokenRateLimit: one token past its burst waits (429); another
// token is not held back.
func TestTokenRateLimit(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{TokenRate: 1}) // bursts of 10
	busy, other := newToken(t, store, access.Viewer), newToken(t, store, access.Viewer)
	var last int
	var hdr http.Header
	for i := 0; i < 12; i++ {
		last, _, hdr = call(t, http.DefaultClient, "GET", srv.URL+"/config.json", "", busy, nil)
	}
	if last != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Errorf("the 12th request in a row with one token: %d, want 429 with Retry-After", last)
	}
	if s, _, _ := call(t, http.DefaultClient, "GET", srv.URL+"/config.json", "", other, nil); s != http.StatusOK {
		t.Errorf("another token: %d, want 200", s)
	}
}

// TestCORS: only the configured origins get CORS headers.
func TestCORS(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{CORSOrigins: []string{"https://wall.example.gov.cn"}})
	_, _, hdr := call(t, http.DefaultClient, "GET", srv.URL+"/config.json", "", "", map[string]string{"Origin": "https://wall.example.gov.cn"})
	if hdr.Get("Access-Control-Allow-Origin") != "https://wall.example.gov.cn" {
		t.Errorf("a configured origin: %q", hdr.Get("Access-Control-Allow-Origin"))
	}
	_, _, hdr = call(t, http.DefaultClient, "GET", srv.URL+"/config.json", "", "", map[string]string{"Origin": "https://evil.example"})
	if hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin got %q", hdr.Get("Access-Control-Allow-Origin"))
	}
}

// TestBodyLimits: a JSON body over 1 MiB and an upload over the limit
// are 413, and nothing is written.
func TestBodyLimits(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{MaxUpload: 1 << 20})
	admin := newToken(t, store, access.Admin)
	big := `{"inputs": {"note": "` + strings.Repeat("x", 2<<20) + `"}}`
	if s, body, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/objects/1/assessments", big, admin, nil); s != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB assessment: %d %.200s, want 413", s, body)
	}
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	mw.WriteField("category", "enterprises")
	w, _ := mw.CreateFormFile("file", "big.csv")
	io.WriteString(w, "名称,经度,纬度\n"+strings.Repeat("某企业,119.9,28.4\n", 100000))
	mw.Close()
	s, body, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/imports", buf.String(), admin, map[string]string{"Content-Type": mw.FormDataContentType()})
	if s != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than 1 MiB") {
		t.Errorf("a 2 MiB upload with a 1 MiB limit: %d %.200s, want 413", s, body)
	}
}

// TestTileCacheSeesChanges: tiles come gzipped with a strong ETag (304
// when it matches); an assessment that changes an object's grade is in
// the next tile once the cache has read the new versions (it polls).
func TestTileCacheSeesChanges(t *testing.T) {
	store, db := writableStore(t)
	srv, cache := cachedServer(t, store, 100*time.Millisecond)
	ctx := context.Background()
	planner := newToken(t, store, access.Planner)
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var id int64
	var lon, lat float64
	if err := conn.QueryRow(ctx, "SELECT id, ST_X(geom), ST_Y(geom) FROM risk_object WHERE category = 'enterprises' AND grade IS NULL AND retired_at IS NULL ORDER BY id LIMIT 1").Scan(&id, &lon, &lat); err != nil {
		t.Fatal(err)
	}
	tile := maptile.At([2]float64{lon, lat}, 14)
	url := fmt.Sprintf("%s/tiles/enterprises/%d/%d/%d.mvt", srv.URL, tile.Z, tile.X, tile.Y)
	gradeIn := func(body []byte) string {
		layers, err := mvt.Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			for _, f := range l.Features {
				if fmt.Sprint(f.ID) == fmt.Sprint(id) {
					return fmt.Sprint(f.Properties["grade"])
				}
			}
		}
		return "absent"
	}
	get := func(etag string) (int, []byte, http.Header) {
		req, _ := http.NewRequest("GET", url, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req) // asks for gzip, and unzips
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header
	}
	status, body, hdr := get("")
	etag := hdr.Get("ETag")
	if status != 200 || etag == "" || gradeIn(body) != "unassessed" {
		t.Fatalf("first tile: %d, ETag %q, grade %s", status, etag, gradeIn(body))
	}
	if status, _, _ := get(etag); status != http.StatusNotModified {
		t.Errorf("with its ETag: %d, want 304", status)
	}
	start := time.Now()
	if s, b, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), `{"inputs": {"lec_l": 10, "lec_e": 6, "lec_c": 40}}`, planner, nil); s != http.StatusCreated {
		t.Fatalf("assess: %d %s", s, b)
	}
	for {
		status, body, hdr = get(etag)
		if status == 200 && gradeIn(body) == "red" && hdr.Get("ETag") != etag {
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("2 s after the assessment the tile says %d, grade %s", status, gradeIn(body))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if cache.Hits.Load() == 0 || cache.Misses.Load() < 2 {
		t.Errorf("cache hits %d, misses %d", cache.Hits.Load(), cache.Misses.Load())
	}
	if _, m, _ := call(t, http.DefaultClient, "GET", srv.URL+"/metrics", "", "", nil); !strings.Contains(m, "riskmap_tile_cache_hits_total") {
		t.Error("/metrics lacks the tile cache")
	}
}

// TestEventStream: a map listening on /api/v1/events hears within 2 s of
// an assessment which object's grade changed, and which layers changed
// where (the database's notification: the poll is too slow to matter);
// one that reconnects with Last-Event-ID hears at once what changed while
// it was away.
func TestEventStream(t *testing.T) {
	store, db := writableStore(t)
	srv, cache := cachedServer(t, store, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := cache.Since(0).Seq
	type event struct{ id, name, data string }
	listen := func(lastID string) (<-chan event, func()) {
		lctx, stop := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(lctx, "GET", srv.URL+"/api/v1/events", nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("events: %v %v", resp, err)
		}
		out := make(chan event, 16)
		go func() {
			defer resp.Body.Close()
			var e event
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "id: "):
					e.id = line[4:]
				case strings.HasPrefix(line, "event: "):
					e.name = line[7:]
				case strings.HasPrefix(line, "data: "):
					e.data = line[6:]
				case line == "" && e.name != "":
					out <- e
					e = event{}
				}
			}
		}()
		return out, stop
	}
	events, stop := listen("")
	defer stop()
	var id int64
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var lon, lat float64
	if err := conn.QueryRow(ctx, `SELECT id, ST_X(geom), ST_Y(geom) FROM risk_object
		WHERE category = 'enterprises' AND retired_at IS NULL AND grade IS DISTINCT FROM 'red' ORDER BY id LIMIT 1`).Scan(&id, &lon, &lat); err != nil {
		t.Fatal(err)
	}
	planner := newToken(t, store, access.Planner)
	start := time.Now()
	if s, b, _ := call(t, http.DefaultClient, "POST", fmt.Sprintf("%s/api/v1/objects/%d/assessments", srv.URL, id), `{"inputs": {"lec_l": 10, "lec_e": 6, "lec_c": 40}}`, planner, nil); s != http.StatusCreated {
		t.Fatalf("assess: %d %s", s, b)
	}
	var graded bool
	for done := false; !done; {
		select {
		case e := <-events:
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("event %s came %v after the change", e.name, took)
			}
			switch e.name {
			case "grade_changed":
				var g struct {
					Objects []struct {
						ID       int64
						Category string
						To       string
						Lon, Lat float64
					}
				}
				if err := json.Unmarshal([]byte(e.data), &g); err != nil || len(g.Objects) != 1 {
					t.Fatalf("grade_changed %s: %v", e.data, err)
				}
				o := g.Objects[0]
				graded = o.ID == id && o.To == "red" && o.Category == "enterprises" && math.Abs(o.Lon-lon) < 1e-5 && math.Abs(o.Lat-lat) < 1e-5
				if !graded {
					t.Errorf("grade_changed %s, want object %d to red at %v,%v", e.data, id, lon, lat)
				}
			case "layers":
				var l struct {
					Layers map[string]int64
					BBox   *[4]float64
				}
				if err := json.Unmarshal([]byte(e.data), &l); err != nil || l.Layers["enterprises"] == 0 || e.id == "" {
					t.Errorf("layers event %+v (%v), want the enterprises layer", e, err)
				}
				// The object's place and its county, whose colour and
				// counts change with it.
				var c [4]float64
				if err := conn.QueryRow(ctx, `SELECT ST_XMin(d.geom), ST_YMin(d.geom), ST_XMax(d.geom), ST_YMax(d.geom)
					FROM admin_division d JOIN risk_object o ON o.county_code = d.code WHERE o.id = $1`, id).Scan(&c[0], &c[1], &c[2], &c[3]); err != nil {
					t.Fatal(err)
				}
				if b := l.BBox; b == nil || b[0] > lon || b[2] < lon || b[1] > lat || b[3] < lat ||
					b[0] > c[0] || b[1] > c[1] || b[2] < c[2] || b[3] < c[3] || b[2]-b[0] > c[2]-c[0]+0.2 {
					t.Errorf("layers event's bbox %v, want the object's place %v,%v and its county %v", l.BBox, lon, lat, c)
				}
				done = true
			default:
				t.Errorf("unexpected event %+v", e)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("no layers event within 3 s of the assessment")
		}
	}
	if !graded {
		t.Error("no grade_changed event before the layers event")
	}
	// Away since before the change: told at once.
	again, stop2 := listen(strconv.FormatInt(before, 10))
	defer stop2()
	select {
	case e := <-again:
		if !strings.Contains(e.data, `"enterprises"`) {
			t.Errorf("on reconnecting: %+v", e)
		}
	case <-time.After(time.Second):
		t.Error("nothing at once on reconnecting with an old Last-Event-ID")
	}
	if s, _, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/events", "", "", map[string]string{"Last-Event-ID": "x"}); s != http.StatusBadRequest {
		t.Errorf("a bad Last-Event-ID: %d, want 400", s)
	}
}

// TestOneTimePassword: an admin's reset gives a one-time password (and
// enables a disabled user); logged in with it, the user may read but not
// write until they choose their own, which needs the current one and
// ends the session.
func TestOneTimePassword(t *testing.T) {
	store, _ := writableStore(t)
	srv := authServer(t, store, web.Options{})
	admin := newTokenIn(t, store, access.Admin, "331100")
	user := newUserIn(t, store, access.Planner, "331122")
	if status, body, _ := call(t, http.DefaultClient, "PATCH", srv.URL+"/api/v1/users/"+user, `{"disabled": true}`, admin, nil); status != http.StatusNoContent {
		t.Fatalf("disable: %d %s", status, body)
	}
	status, body, hdr := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/users/"+user+"/password", "", admin, nil)
	var otp struct{ User, Password string }
	if json.Unmarshal([]byte(body), &otp); status != http.StatusOK || len(otp.Password) != 16 || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("reset: %d %s", status, body)
	}
	if status, _, _ := call(t, http.DefaultClient, "POST", srv.URL+"/api/v1/users/nobody-here/password", "", admin, nil); status != http.StatusNotFound {
		t.Errorf("reset of nobody: %d, want 404", status)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	login := func(password string) (int, map[string]any) {
		status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/session", fmt.Sprintf(`{"username": %q, "password": %q}`, user, password), "", nil)
		var s map[string]any
		json.Unmarshal([]byte(body), &s)
		return status, s
	}
	status, s := login(otp.Password)
	if status != http.StatusOK || s["must_change_password"] != true {
		t.Fatalf("login with the one-time password (enabled again): %d %v", status, s)
	}
	csrf := map[string]string{"X-CSRF-Token": s["csrf_token"].(string)}
	if status, _, _ := call(t, client, "GET", srv.URL+"/api/v1/tasks", "", "", nil); status != http.StatusOK {
		t.Errorf("a read with the one-time password: %d, want 200", status)
	}
	if status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/hidden-hazards", `{}`, "", csrf); status != http.StatusForbidden || !strings.Contains(body, "one-time password") {
		t.Errorf("a write with the one-time password: %d %s, want 403", status, body)
	}
	tests := []struct {
		name, body, param string
	}{
		{"wrong current", `{"current": "not it at all", "password": "a good new password"}`, "current"},
		{"too short", fmt.Sprintf(`{"current": %q, "password": "short"}`, otp.Password), "password"},
		{"the same", fmt.Sprintf(`{"current": %q, "password": %q}`, otp.Password, otp.Password), "password"},
	}
	for _, tc := range tests {
		if status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/session/password", tc.body, "", csrf); status != http.StatusBadRequest || !strings.Contains(body, `"param":"`+tc.param+`"`) {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	if status, _, _ := call(t, client, "POST", srv.URL+"/api/v1/session/password", fmt.Sprintf(`{"current": %q, "password": "a good new password"}`, otp.Password), "", nil); status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", status)
	}
	if status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/session/password", fmt.Sprintf(`{"current": %q, "password": "a good new password"}`, otp.Password), "", csrf); status != http.StatusNoContent {
		t.Fatalf("change: %d %s", status, body)
	}
	if status, _, _ := call(t, client, "GET", srv.URL+"/api/v1/session", "", "", nil); status != http.StatusUnauthorized {
		t.Errorf("the session after the change: %d, want 401 (ended)", status)
	}
	if status, _ := login(otp.Password); status != http.StatusUnauthorized {
		t.Errorf("the one-time password again: %d, want 401", status)
	}
	status, s = login("a good new password")
	if status != http.StatusOK || s["must_change_password"] != nil {
		t.Fatalf("login with the new password: %d %v", status, s)
	}
	if status, body, _ := call(t, client, "POST", srv.URL+"/api/v1/hidden-hazards", `{}`, "", map[string]string{"X-CSRF-Token": s["csrf_token"].(string)}); status == http.StatusForbidden {
		t.Errorf("a write after the change: %d %s", status, body)
	}
}
