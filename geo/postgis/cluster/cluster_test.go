package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSocketDir(t *testing.T) {
	short := "/work/riskmap-data/pg"
	if got := socketDir(short); got != short {
		t.Errorf("socketDir(%q) = %q, want the cluster directory itself", short, got)
	}
	long := "/" + strings.Repeat("deep/", 30) + "pg"
	got := socketDir(long)
	if got == long || len(got)+len("/.s.PGSQL.5432") > 100 {
		t.Errorf("socketDir(long) = %q, want a short directory", got)
	}
	if socketDir(long) != got {
		t.Error("socketDir is not stable: a second process would not find the socket")
	}
	if socketDir(long+"2") == got {
		t.Error("two data directories share a socket directory")
	}
}

func TestQuoting(t *testing.T) {
	if got := quoteDSN("/a b/it's"); got != `'/a b/it\'s'` {
		t.Errorf("quoteDSN = %s", got)
	}
	if got := quoteDSN("/plain"); got != "/plain" {
		t.Errorf("quoteDSN = %s", got)
	}
	if got := shellQuote("/a'b"); got != `'/a'\''b'` {
		t.Errorf("shellQuote = %s", got)
	}
}

func TestMissingPostgreSQLNamesPackages(t *testing.T) {
	_, err := Open(context.Background(), Options{Dir: t.TempDir(), BinDir: t.TempDir()})
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("Open with no binaries: %v, want ErrMissing", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "apt-get install postgresql-15 postgresql-15-postgis-3") {
		t.Errorf("error %q is not one line naming the packages", msg)
	}
}
