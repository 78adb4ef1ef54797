package postgis_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/postgis"
	"riskmap/geo/postgis/pgtest"
)

var hashOnce = sync.OnceValues(func() (string, error) { return access.HashPassword("password for tests") })

// testHash is the hash of "password for tests".
func testHash(t *testing.T) string {
	t.Helper()
	h, err := hashOnce()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// as is a context acting for a planner of division code ("" the whole
// deployment).
func as(code, name string) context.Context {
	return access.WithActor(context.Background(), &access.Principal{Name: "u" + code, Role: access.Admin, Via: "token", Division: code, DivisionName: name})
}

// objectIn is the id of the chain's object of category c in division code.
func objectIn(t *testing.T, db *pgx.Conn, c geo.Category, code string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), `SELECT id FROM risk_object WHERE source_id = $1`, code+"-"+string(c)).Scan(&id); err != nil {
		t.Fatalf("object %s in %s: %v", c, code, err)
	}
	return id
}

// TestDivisionsPlaceObjects: every object of the chain lies in the
// deepest division at its point (township A, not county A, for the
// township's), hazards and incidents take their place's, and a zone the
// deepest division that holds it, 50 m of slack at a border allowed.
func TestDivisionsPlaceObjects(t *testing.T) {
	ctx := context.Background()
	s, db := loadedStore(t, pgtest.Chain())
	for code := range pgtest.Places {
		var got, county string
		if err := db.QueryRow(ctx, `SELECT division_code, county_code FROM risk_object WHERE source_id = $1`, code+"-enterprises").Scan(&got, &county); err != nil {
			t.Fatal(err)
		}
		if got != code || county != geo.CountyOf(code) {
			t.Errorf("object in %s: division %s, county %s", code, got, county)
		}
	}
	obj := objectIn(t, db, geo.Enterprises, pgtest.TownshipA)
	h, err := s.ReportHazard(ctx, geo.Hazard{Code: "YH-A", ObjectID: &obj, Title: "t", Level: "general", DiscoverySource: "patrol", FoundOn: "2026-11-20"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	p := pgtest.Places[pgtest.CountyB]
	in, err := s.ReportIncident(ctx, geo.NewIncident{Kind: "fire", Level: "IV", Title: "火情", ReportedAt: ptr(time.Now())}, p, "x")
	if err != nil {
		t.Fatal(err)
	}
	var hd, id string
	db.QueryRow(ctx, `SELECT division_code FROM hidden_hazard WHERE id = $1`, h.ID).Scan(&hd)
	db.QueryRow(ctx, `SELECT division_code FROM incident WHERE id = $1`, in.ID).Scan(&id)
	if hd != pgtest.TownshipA || id != pgtest.CountyB {
		t.Errorf("hazard in %q, incident in %q", hd, id)
	}
	cases := []struct {
		name string
		zone orb.Polygon
		want string
	}{
		{"inside the township", box(119.05, 28.1, 119.15, 28.3), pgtest.TownshipA},
		{"across the township's edge", box(119.2, 28.1, 119.3, 28.3), pgtest.CountyA},
		{"20 m over county B's line", box(119.4, 28.1, 119.5002, 28.3), pgtest.CountyA},
		{"across two counties", box(119.4, 28.1, 119.6, 28.3), pgtest.CityA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z, err := s.CreateZone(ctx, zoneOf(tc.name, "red", tc.zone), geo.ZoneOptions{}, "planner")
			if err != nil {
				t.Fatal(err)
			}
			var got string
			db.QueryRow(ctx, `SELECT division_code FROM hazard_zone WHERE id = $1`, z.ID).Scan(&got)
			if got != tc.want {
				t.Errorf("division %s, want %s", got, tc.want)
			}
		})
	}
}

// TestWritesStayInDivision: the database's guards let an actor change
// what lies in their division and below, and refuse the rest with a
// ScopeError naming both divisions; a refused write changes nothing.
func TestWritesStayInDivision(t *testing.T) {
	s, db := loadedStore(t, pgtest.Chain())
	inputs := map[string]any{"grade": "red"}
	actors := []struct {
		name, code, div string
		may             map[string]bool // the divisions of objects it may grade
	}{
		{"province", pgtest.Province, "浙江省", map[string]bool{pgtest.TownshipA: true, pgtest.CountyA: true, pgtest.CountyB: true, pgtest.CountyC: true}},
		{"city A", pgtest.CityA, "丽水市", map[string]bool{pgtest.TownshipA: true, pgtest.CountyA: true, pgtest.CountyB: true}},
		{"county A", pgtest.CountyA, "莲都区", map[string]bool{pgtest.TownshipA: true, pgtest.CountyA: true}},
		{"county B", pgtest.CountyB, "缙云县", map[string]bool{pgtest.CountyB: true}},
		{"township of A", pgtest.TownshipA, "紫金街道", map[string]bool{pgtest.TownshipA: true}},
		{"whole deployment", "", "", map[string]bool{pgtest.TownshipA: true, pgtest.CountyA: true, pgtest.CountyB: true, pgtest.CountyC: true}},
	}
	for _, a := range actors {
		for target := range pgtest.Places {
			t.Run(a.name+" grades in "+target, func(t *testing.T) {
				ctx := as(a.code, a.div)
				id := objectIn(t, db, geo.Bridges, target)
				var before string
				db.QueryRow(context.Background(), `SELECT updated_at::text FROM risk_object WHERE id = $1`, id).Scan(&before)
				_, err := s.Assess(ctx, "", id, inputs, "tester")
				if a.may[target] {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var se *geo.ScopeError
				if !errors.As(err, &se) || !errors.Is(err, geo.ErrForbidden) {
					t.Fatalf("want a ScopeError, got %v", err)
				}
				if se.Target != target || se.Actor != a.code || se.ActorName != a.div || se.TargetName == "" {
					t.Errorf("refusal names %+v", se)
				}
				if !strings.Contains(se.Error(), target) || !strings.Contains(se.Error(), a.code) {
					t.Errorf("message %q does not name both divisions", se.Error())
				}
				var after string
				db.QueryRow(context.Background(), `SELECT updated_at::text FROM risk_object WHERE id = $1`, id).Scan(&after)
				if after != before {
					t.Error("the refused write changed the object")
				}
			})
		}
	}

	t.Run("hazards, incidents, zones, positions and users", func(t *testing.T) {
		a := as(pgtest.CountyA, "莲都区")
		inB := objectIn(t, db, geo.Enterprises, pgtest.CountyB)
		type check struct {
			name string
			err  error
		}
		var checks []check
		_, err := s.ReportHazard(a, geo.Hazard{Code: "YH-B", ObjectID: &inB, Title: "t", Level: "general", DiscoverySource: "patrol", FoundOn: "2026-11-20"}, "x")
		checks = append(checks, check{"hazard at B's object", err})
		_, err = s.ReportIncident(a, geo.NewIncident{Kind: "fire", Level: "IV", Title: "t", ReportedAt: ptr(time.Now())}, pgtest.Places[pgtest.CountyB], "x")
		checks = append(checks, check{"incident in B", err})
		_, err = s.CreateZone(a, zoneOf("z", "red", box(119.6, 28.1, 119.7, 28.2)), geo.ZoneOptions{}, "x")
		checks = append(checks, check{"zone in B", err})
		_, err = s.UpdatePosition(a, objectIn(t, db, geo.RescueResources, pgtest.CountyB), orb.Point{119.4, 28.2}, nil, time.Now(), "gps")
		checks = append(checks, check{"position of B's team", err})
		_, err = s.AddUser(a, "b-user", "", access.Planner, testHash(t), pgtest.CountyB)
		checks = append(checks, check{"user of B", err})
		_, err = s.AddUser(a, "city-user", "", access.Planner, testHash(t), pgtest.CityA)
		checks = append(checks, check{"user of the city above", err})
		for _, c := range checks {
			if !errors.Is(c.err, geo.ErrForbidden) {
				t.Errorf("%s: want forbidden, got %v", c.name, c.err)
			}
		}
		if _, err := s.AddUser(a, "a-user", "", access.Planner, testHash(t), pgtest.TownshipA); err != nil {
			t.Errorf("county A adds a township user: %v", err)
		}
		if _, err := s.UpdatePosition(a, objectIn(t, db, geo.RescueResources, pgtest.CountyA), pgtest.Places[pgtest.CountyB], nil, time.Now(), "gps"); err != nil {
			t.Errorf("county A's team reports from county B: %v", err)
		}
		var n int
		db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM hidden_hazard) + (SELECT count(*) FROM incident) + (SELECT count(*) FROM hazard_zone)
			+ (SELECT count(*) FROM app_user WHERE username IN ('b-user', 'city-user'))`).Scan(&n)
		if n != 0 {
			t.Errorf("refused writes left %d rows", n)
		}
	})
}

// TestTokensNarrow: a token acts in its user's division or one below it,
// never above; an unknown division is refused naming it.
func TestTokensNarrow(t *testing.T) {
	ctx := context.Background()
	s, _ := loadedStore(t, pgtest.Chain())
	if _, err := s.AddUser(ctx, "lianDu", "", access.Planner, testHash(t), pgtest.CountyA); err != nil {
		t.Fatal(err)
	}
	_, _, text, err := s.CreateToken(ctx, "feed", "lianDu", access.Planner, pgtest.TownshipA, time.Now().AddDate(0, 0, 1), "test")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Token(ctx, text)
	if err != nil || p.Division != pgtest.TownshipA || p.DivisionName != "紫金街道" {
		t.Fatalf("token principal %+v, %v", p, err)
	}
	if _, _, _, err := s.CreateToken(ctx, "wide", "lianDu", access.Planner, pgtest.CityA, time.Now().AddDate(0, 0, 1), "test"); !errors.Is(err, geo.ErrInvalid) {
		t.Errorf("a token wider than its user: %v", err)
	}
	var pe *geo.ParamError
	if _, err := s.AddUser(ctx, "nobody", "", access.Viewer, testHash(t), "331199"); !errors.As(err, &pe) || pe.Param != "division" || !strings.Contains(pe.Reason, "331199") {
		t.Errorf("unknown division: %v", err)
	}
	if err := s.SetUserDivision(ctx, "lianDu", pgtest.CountyB); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Token(ctx, text); err != nil || p.Division != pgtest.CountyB {
		t.Errorf("after the move, the token acts in %q (%v)", p.Division, err)
	}
}

// TestUpgradeKeepsUsers: a database made before divisions (migrations
// up to 0011) migrates; its users become users of the one top division
// and keep logging in and writing everywhere they could.
func TestUpgradeKeepsUsers(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.NewEmptyDB(t)
	db, err := pgx.Connect(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	all, err := postgis.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Version >= 12 {
			break
		}
		if _, err := db.Exec(ctx, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	// What riskmap before 0012 wrote: a city and its county, an object,
	// a user.
	for _, q := range []string{
		`INSERT INTO admin_division (code, name, level, parent_code, geom, source) VALUES
			('331100', '丽水市', 'city', NULL, ST_Multi(ST_MakeEnvelope(119, 28, 120, 28.5, 4490)), 'old'),
			('331102', '莲都区', 'county', '331100', ST_Multi(ST_MakeEnvelope(119, 28, 119.5, 28.5, 4490)), 'old')`,
		`INSERT INTO risk_object (category, name, geom, county_code, source, source_id) VALUES
			('bridges', '老桥', ST_SetSRID(ST_MakePoint(119.2, 28.2), 4490), '331102', 'old', 'b1')`,
		`INSERT INTO app_user (username, role, password_hash) VALUES ('ops', 'admin', '` + testHash(t) + `')`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := postgis.Open(ctx, conn, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil || len(applied) == 0 || !strings.HasPrefix(applied[0], "0012") {
		t.Fatalf("migrate: %v %v", applied, err)
	}
	p, _, _, err := s.Login(ctx, "ops", "password for tests", "test", 60e9)
	if err != nil || p.Division != "331100" || p.DivisionName != "丽水市" {
		t.Fatalf("login after the upgrade: %+v %v", p, err)
	}
	var id int64
	var div string
	db.QueryRow(ctx, `SELECT id, division_code FROM risk_object`).Scan(&id, &div)
	if div != "331102" {
		t.Errorf("the old object lies in %q", div)
	}
	if _, err := s.Assess(access.WithActor(ctx, &p), "", id, map[string]any{"grade": "red"}, p.Actor()); err != nil {
		t.Errorf("the old admin grades the old object: %v", err)
	}
}

// TestWritesActInScope: no code of the store opens a transaction but tx
// and begin, which set the actor's division for the guards: a new write
// path cannot forget it.
func TestWritesActInScope(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	opens := regexp.MustCompile(`pgx\.BeginFunc\(|\.pool\.Begin\(|\.pool\.BeginTx\(|pgx\.BeginTxFunc\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "scope.go" || f == "migrate.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if opens.MatchString(line) {
				t.Errorf("%s:%d opens a transaction without the actor's division: use s.tx or s.begin", f, i+1)
			}
		}
	}
}
