package access

import (
	"strings"
	"testing"
)

func TestAllows(t *testing.T) {
	tests := []struct {
		name string
		has  Role
		need Role
		want bool
	}{
		{"viewer reads", Viewer, Viewer, true},
		{"viewer cannot plan", Viewer, Planner, false},
		{"dispatcher reads", Dispatcher, Viewer, true},
		{"dispatcher dispatches", Dispatcher, Dispatcher, true},
		{"dispatcher cannot plan", Dispatcher, Planner, false},
		{"planner cannot dispatch", Planner, Dispatcher, false},
		{"planner cannot administer", Planner, Admin, false},
		{"admin plans", Admin, Planner, true},
		{"admin dispatches", Admin, Dispatcher, true},
		{"admin administers", Admin, Admin, true},
		{"nobody reads nothing", "", Viewer, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.has.Allows(tc.need); got != tc.want {
				t.Errorf("%q.Allows(%q) = %v, want %v", tc.has, tc.need, got, tc.want)
			}
		})
	}
}

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not argon2id in PHC form", h)
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, hash, password string
		ok                   bool
	}{
		{"right", h, "correct horse battery", true},
		{"wrong", h, "correct horse batterY", false},
		{"empty", h, "", false},
		{"not argon2id", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false},
		{"other version", strings.Replace(h, "v=19", "v=16", 1), "correct horse battery", false},
		{"absurd memory", strings.Replace(h, "m=65536", "m=99999999", 1), "correct horse battery", false},
		{"cut short", h[:len(h)-10], "correct horse battery", false},
		{"garbage", "$argon2id$x", "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckPassword(tc.hash, tc.password); (err == nil) != tc.ok {
				t.Errorf("CheckPassword = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

func TestTokens(t *testing.T) {
	secret, hash, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if string(HashSecret(secret)) != string(hash) {
		t.Error("the secret's hash is not the one returned")
	}
	id, s, ok := ParseToken(FormatToken(42, secret))
	if !ok || id != 42 || s != secret {
		t.Errorf("ParseToken(FormatToken(42, …)) = %d, %q, %v", id, s, ok)
	}
	for _, bad := range []string{"", "rmt_", "rmt_42", "rmt_42_short", "rmt_x_" + secret, "rmt_-1_" + secret, "xyz_42_" + secret, "Bearer rmt_42_" + secret} {
		if _, _, ok := ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}

func TestValidUserName(t *testing.T) {
	for _, ok := range []string{"zhang.san", "ops-1", "a@b", "X_9"} {
		if err := ValidUserName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "张三", "a b", "a;b", strings.Repeat("a", 65)} {
		if ValidUserName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseToken: a token comes from any request's Authorization header.
func FuzzParseToken(f *testing.F) {
	f.Add("rmt_1_abcdefghijklmnopqrstuvwxyz")
	f.Add("rmt_99999999999999999999_x")
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, ok := ParseToken(s)
		if ok && (id <= 0 || FormatToken(id, secret) != s && !strings.HasPrefix(s, "rmt_0") && !strings.HasPrefix(s, "rmt_+")) {
			t.Errorf("ParseToken(%q) = %d, %q: does not format back", s, id, secret)
		}
	})
}
