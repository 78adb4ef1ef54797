// Package cluster runs riskmap's embedded PostgreSQL + PostGIS cluster: a
// private server kept in the riskmap data directory, started from the
// machine's PostgreSQL binaries and reachable only through a Unix socket.
//
// Several riskmap processes may use one data directory at once (a server
// and an import, say). Each takes a shared lock while it uses the cluster;
// whichever starts first starts the server, and whichever leaves last stops
// it. PostgreSQL refuses to run as root, so when riskmap runs as root the
// server runs as an unprivileged system user (postgres by default).
package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	sqlfs "riskmap/sql"
)

// Database and Role are the names of the database and superuser that
// riskmap creates in its embedded cluster.
const (
	Database = "riskmap"
	Role     = "riskmap"
	port     = 5432
)

// Options configure Open.
type Options struct {
	// Dir is the riskmap data directory; the cluster lives in Dir/pg.
	Dir string
	// BinDir holds pg_ctl, initdb and postgres. Empty means search
	// /usr/lib/postgresql/<newest>/bin, then PATH.
	BinDir string
	// User is the system user the server runs as when riskmap runs as
	// root. Empty means "postgres".
	User string
	// Log receives one line per step taken (init, start, stop). Nil
	// discards them.
	Log io.Writer
	// Settings are extra server settings (name → value, as
	// postgresql.conf spells them, e.g. "max_connections": "20") given
	// to the server when this process starts it.
	Settings map[string]string
	// ReplicaOf, when set, makes the cluster a streaming replica: a
	// libpq connection string of a running primary (a superuser or a
	// role with REPLICATION, e.g. another Cluster's ConnString) that an
	// empty Dir is copied from with pg_basebackup -R. The replica then
	// follows the primary, read-only, on a socket of its own. A Dir that
	// holds a cluster already is started as it is.
	ReplicaOf string
}

// Cluster is an embedded PostgreSQL cluster in use by this process.
type Cluster struct {
	opts    Options
	bin     string
	pgdata  string
	sockDir string
	cred    *syscall.Credential
	users   *os.File // shared lock held while this process uses the cluster
}

// ErrMissing is returned (wrapped) when PostgreSQL or PostGIS is not
// installed. Its message names the Debian packages to install.
var ErrMissing = errors.New("missing system package")

// Open initialises the cluster in opts.Dir if it does not exist yet, starts
// it if no process runs it already, and registers this process as a user.
// Call Close when done. If Open fails after starting the server, it stops
// the server again unless another process uses it.
func Open(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("cluster: no data directory given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("resolve data directory: %w", err)
	}
	opts.Dir = dir
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	c := &Cluster{opts: opts, pgdata: filepath.Join(dir, "pg")}
	if c.bin, err = findBin(opts.BinDir, c.pgdata); err != nil {
		return nil, err
	}
	if err := c.checkPostGIS(ctx); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if os.Geteuid() == 0 {
		if err := c.dropPrivileges(); err != nil {
			return nil, err
		}
	}
	c.sockDir = socketDir(c.pgdata)

	// The start lock serialises "is it running? start it" and "am I the
	// last user? stop it" across processes.
	start, err := lockFile(filepath.Join(dir, ".cluster.lock"), syscall.LOCK_EX)
	if err != nil {
		return nil, err
	}
	defer start.Close()
	if c.users, err = lockFile(filepath.Join(dir, ".cluster.users"), syscall.LOCK_SH); err != nil {
		return nil, err
	}
	if err := c.ensureRunning(ctx); err != nil {
		c.users.Close()
		c.users = nil
		if serr := c.stopIfLast(); serr != nil {
			fmt.Fprintln(c.opts.Log, serr)
		}
		return nil, err
	}
	return c, nil
}

// ConnString returns the libpq keyword/value connection string for the
// riskmap database.
func (c *Cluster) ConnString() string { return c.ConnStringDB(Database) }

// ConnStringDB is ConnString for another database in the same cluster.
func (c *Cluster) ConnStringDB(db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", quoteDSN(c.sockDir), port, Role, quoteDSN(db))
}

// Close unregisters this process and stops the server if no other process
// uses it. It waits for the server to shut down.
func (c *Cluster) Close() error {
	if c.users == nil {
		return nil
	}
	c.users.Close()
	c.users = nil
	start, err := lockFile(filepath.Join(c.opts.Dir, ".cluster.lock"), syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer start.Close()
	return c.stopIfLast()
}

// stopIfLast stops the server when no process holds the users lock. The
// caller holds the start lock and no longer holds the users lock.
func (c *Cluster) stopIfLast() error {
	last, err := lockFile(filepath.Join(c.opts.Dir, ".cluster.users"), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil // another process still uses the cluster
	}
	if err != nil {
		return err
	}
	defer last.Close()
	if !c.running() {
		return nil
	}
	fmt.Fprintf(c.opts.Log, "stopping PostgreSQL in %s\n", c.pgdata)
	if out, err := c.run(context.Background(), "pg_ctl", "stop", "-D", c.pgdata, "-m", "fast", "-w", "-t", "60"); err != nil {
		return fmt.Errorf("stop PostgreSQL: %w: %s", err, out)
	}
	return nil
}

func (c *Cluster) ensureRunning(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.pgdata, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		create := c.initdb
		if c.opts.ReplicaOf != "" {
			create = c.basebackup
		}
		if err := create(ctx); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("inspect cluster: %w", err)
	}
	if !c.running() {
		if err := c.start(); err != nil {
			return err
		}
	}
	if c.Standby() {
		return nil // read-only: its databases are the primary's
	}
	// Checked on every start, not only after initdb: a first run stopped
	// between initdb and this point must not leave a cluster without it.
	return c.ensureDatabase(ctx)
}

// Standby reports whether the cluster is a replica (it has a
// standby.signal, as pg_basebackup -R leaves it).
func (c *Cluster) Standby() bool {
	_, err := os.Stat(filepath.Join(c.pgdata, "standby.signal"))
	return err == nil
}

// basebackup copies the primary at opts.ReplicaOf into pgdata with
// pg_basebackup -R (which writes the primary's address into
// postgresql.auto.conf and leaves standby.signal), streaming the WAL it
// needs alongside.
func (c *Cluster) basebackup(ctx context.Context) error {
	fmt.Fprintf(c.opts.Log, "copying the primary into %s (pg_basebackup)\n", c.pgdata)
	if err := c.emptyDataDir(); err != nil {
		return err
	}
	out, err := c.run(ctx, "pg_basebackup", "-D", c.pgdata, "-d", c.opts.ReplicaOf, "-R", "-X", "stream", "-c", "fast", "--no-password")
	if err != nil {
		os.RemoveAll(c.pgdata) // a half-made copy would block the next try
		return fmt.Errorf("pg_basebackup: %w: %s", err, out)
	}
	// The primary's log came along, and, when its socket lives in its
	// data directory, its socket's lock file, which would stop the
	// replica from starting: the replica makes its own.
	os.Remove(filepath.Join(c.pgdata, "server.log"))
	locks, _ := filepath.Glob(filepath.Join(c.pgdata, ".s.PGSQL.*"))
	for _, l := range locks {
		os.Remove(l)
	}
	return nil
}

// emptyDataDir makes pgdata an empty directory, private to the user the
// cluster runs as, for initdb or pg_basebackup to fill.
func (c *Cluster) emptyDataDir() error {
	if err := os.RemoveAll(c.pgdata); err != nil {
		return fmt.Errorf("clear %s: %w", c.pgdata, err)
	}
	if err := os.Mkdir(c.pgdata, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", c.pgdata, err)
	}
	return c.chown(c.pgdata)
}

// ensureDatabase creates the riskmap database when it is missing.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	exists, err := c.psql(ctx, "bootstrap/database_exists.sql")
	if err != nil {
		return err
	}
	if exists == "1" {
		return nil
	}
	fmt.Fprintf(c.opts.Log, "creating database %s\n", Database)
	_, err = c.psql(ctx, "bootstrap/create_database.sql")
	return err
}

// psql runs one embedded bootstrap statement in the postgres database and
// returns its unaligned output.
func (c *Cluster) psql(ctx context.Context, file string) (string, error) {
	q, err := sqlfs.FS.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	out, err := c.run(ctx, "psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", c.sockDir, "-p", strconv.Itoa(port),
		"-U", Role, "-d", "postgres", "-c", string(q))
	if err != nil {
		return "", fmt.Errorf("run %s: %w: %s", file, err, out)
	}
	return string(out), nil
}

func (c *Cluster) initdb(ctx context.Context) error {
	fmt.Fprintf(c.opts.Log, "initialising PostgreSQL cluster in %s\n", c.pgdata)
	if err := c.emptyDataDir(); err != nil {
		return err
	}
	out, err := c.run(ctx, "initdb", "-D", c.pgdata, "-U", Role, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions")
	if err != nil {
		os.RemoveAll(c.pgdata) // a half-made cluster would block the next try
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// start starts the server. It is not cancellable: an interrupted pg_ctl
// would leave a server that nobody knows about.
func (c *Cluster) start() error {
	fmt.Fprintf(c.opts.Log, "starting PostgreSQL in %s\n", c.pgdata)
	if c.sockDir != c.pgdata {
		if err := c.makeSocketDir(); err != nil {
			return err
		}
	}
	// pg_ctl hands -o to a shell, so the socket path is single-quoted.
	// Only the server's own user (and root) may connect.
	// Room for bulk imports: fewer checkpoints, a larger buffer cache.
	o := fmt.Sprintf("-c listen_addresses='' -c unix_socket_permissions=0700 -c shared_buffers=256MB -c max_wal_size=4GB -p %d -k %s", port, shellQuote(c.sockDir))
	names := make([]string, 0, len(c.opts.Settings))
	for name := range c.opts.Settings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !settingName.MatchString(name) {
			return fmt.Errorf("start PostgreSQL: %q is not a setting's name", name)
		}
		o += " -c " + shellQuote(name+"="+c.opts.Settings[name])
	}
	out, err := c.run(context.Background(), "pg_ctl", "start", "-D", c.pgdata, "-w", "-t", "120", "-l", filepath.Join(c.pgdata, "server.log"), "-o", o)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.pgdata, "server.log"))
		return fmt.Errorf("start PostgreSQL: %w: %s\n%s", err, out, tail(log, 2000))
	}
	return nil
}

// makeSocketDir creates the fallback socket directory, or checks that the
// one there is ours: a directory another user made in /tmp would give
// them the server.
func (c *Cluster) makeSocketDir() error {
	if err := os.Mkdir(c.sockDir, 0o700); err == nil {
		if err := c.chown(c.sockDir); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create socket directory: %w", err)
	}
	fi, err := os.Lstat(c.sockDir)
	if err != nil {
		return fmt.Errorf("inspect socket directory: %w", err)
	}
	uid := uint32(os.Geteuid())
	if c.cred != nil {
		uid = c.cred.Uid
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || st.Uid != uid || fi.Mode().Perm() != 0o700 {
		return fmt.Errorf("socket directory %s is not a private directory of the server's user; remove it and try again", c.sockDir)
	}
	return nil
}

// running reports whether a postmaster serves the data directory.
func (c *Cluster) running() bool {
	_, err := c.run(context.Background(), "pg_ctl", "status", "-D", c.pgdata)
	return err == nil
}

// run runs one of the PostgreSQL programs, as the server's user when
// riskmap is root, in its own process group so that a Ctrl-C meant for
// riskmap does not reach the server.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, prog), args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	// pg_ctl start leaves the postmaster holding the output pipe; don't
	// wait for it to close.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	return bytes.TrimSpace(buf.Bytes()), err
}

// dropPrivileges makes the PostgreSQL programs run as opts.User and lets
// that user reach the data directory.
func (c *Cluster) dropPrivileges() error {
	name := c.opts.User
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("%w: riskmap runs as root and PostgreSQL refuses root; system user %q not found (apt-get install postgresql-15 creates it, or pass --pg-user)", ErrMissing, name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// The server gets its user's groups, not root's.
	var groups []uint32
	if gids, err := u.GroupIds(); err == nil {
		for _, g := range gids {
			if n, err := strconv.Atoi(g); err == nil {
				groups = append(groups, uint32(n))
			}
		}
	}
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}
	// The server user must be able to traverse every directory down to
	// its data; grant search (not read) permission where it is missing.
	for d := c.opts.Dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("inspect %s: %w", d, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			fmt.Fprintf(c.opts.Log, "granting search permission on %s so that user %s can reach the cluster\n", d, name)
			if err := os.Chmod(d, fi.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("grant search permission on %s: %w", d, err)
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("hand %s to the server user: %w", path, err)
	}
	return nil
}

// checkPostGIS fails with a one-line install hint when the PostGIS
// extension is not installed for these binaries.
func (c *Cluster) checkPostGIS(ctx context.Context) error {
	major := "15"
	if out, err := exec.CommandContext(ctx, filepath.Join(c.bin, "pg_ctl"), "--version").Output(); err == nil {
		if m := regexp.MustCompile(`(\d+)`).FindString(string(out)); m != "" {
			major = m
		}
	}
	out, err := exec.CommandContext(ctx, filepath.Join(c.bin, "pg_config"), "--sharedir").Output()
	share := strings.TrimSpace(string(out))
	if err != nil || share == "" {
		share = "/usr/share/postgresql/" + major
	}
	if _, err := os.Stat(filepath.Join(share, "extension", "postgis.control")); err != nil {
		return fmt.Errorf("%w: PostGIS is not installed for PostgreSQL %s: apt-get install postgresql-%s-postgis-3", ErrMissing, major, major)
	}
	return nil
}

// findBin locates the directory holding pg_ctl, initdb and postgres: dir
// when given; else the binaries of the major version that made the
// cluster in pgdata, if there is one; else the newest installed.
func findBin(dir, pgdata string) (string, error) {
	has := func(d string) bool {
		for _, p := range []string{"pg_ctl", "initdb", "postgres", "psql"} {
			if _, err := os.Stat(filepath.Join(d, p)); err != nil {
				return false
			}
		}
		return true
	}
	if dir != "" {
		if has(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("%w: PostgreSQL server programs not found in %s: apt-get install postgresql-15 postgresql-15-postgis-3", ErrMissing, dir)
	}
	if b, err := os.ReadFile(filepath.Join(pgdata, "PG_VERSION")); err == nil {
		v := strings.TrimSpace(string(b))
		d := filepath.Join("/usr/lib/postgresql", v, "bin")
		if !has(d) {
			return "", fmt.Errorf("%w: the cluster in %s was made by PostgreSQL %s, which is not installed: apt-get install postgresql-%s postgresql-%s-postgis-3", ErrMissing, pgdata, v, v, v)
		}
		return d, nil
	}
	cands, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(cands, func(i, j int) bool { return versionOf(cands[i]) > versionOf(cands[j]) })
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		cands = append(cands, filepath.Dir(p))
	}
	for _, d := range cands {
		if has(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: PostgreSQL server not installed: apt-get install postgresql-15 postgresql-15-postgis-3", ErrMissing)
}

// settingName is what a PostgreSQL setting's name looks like.
var settingName = regexp.MustCompile(`^[a-z_][a-z0-9_.]*$`)

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// socketDir is where the server's Unix socket lives: the cluster directory
// itself, unless its path is too long for a socket address, in which case a
// private directory under /tmp named after it (always /tmp, not $TMPDIR,
// so that every process finds the same one).
func socketDir(pgdata string) string {
	const max = 100 // sun_path holds 108 bytes including ".s.PGSQL.5432"
	if len(pgdata)+len("/.s.PGSQL.5432") <= max {
		return pgdata
	}
	sum := sha256.Sum256([]byte(pgdata))
	return filepath.Join("/tmp", "riskmap-"+hex.EncodeToString(sum[:6]))
}

func lockFile(path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, err
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

func quoteDSN(s string) string {
	if !strings.ContainsAny(s, ` '\`) {
		return s
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
