package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/importers"
)

// defaultMaxUpload bounds one import request (Options.MaxUpload).
const defaultMaxUpload = 256 << 20

func (s *Server) handleImport(c echo.Context) error {
	if s.importer == nil {
		return geo.ErrNotFound
	}
	r := c.Request()
	if err := s.sameSite(c); err != nil {
		return err
	}
	// An import may take minutes: give it the time the server's
	// defaults do not.
	rc := http.NewResponseController(c.Response().Writer)
	rc.SetReadDeadline(time.Now().Add(10 * time.Minute))
	rc.SetWriteDeadline(time.Now().Add(30 * time.Minute))
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.opts.MaxUpload)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("the upload is larger than %d MiB", s.opts.MaxUpload>>20))
		}
		return geo.Invalidf("body", "want a multipart/form-data upload with the file in field \"file\"")
	}
	defer r.MultipartForm.RemoveAll()
	form := r.MultipartForm
	val := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	flag := func(k string) (bool, error) {
		v := val(k)
		if v == "" {
			return false, nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, geo.Invalidf(k, "%q is not true or false", v)
		}
		return b, nil
	}
	opt := importers.Options{Category: val("category"), CRS: val("crs"), Encoding: val("encoding"), Sheet: val("sheet"),
		Source: val("source"), Actor: s.actor(c)}
	var err error
	if opt.DryRun, err = flag("dry_run"); err != nil {
		return err
	}
	if opt.SkipInvalid, err = flag("skip_invalid"); err != nil {
		return err
	}
	if opt.Replace, err = flag("replace"); err != nil {
		return err
	}
	if opt.Category == "" {
		return geo.Invalidf("category", "required: enterprises, bridges, black_spots, rescue_resources, shelters or counties")
	}
	if m := val("mapping"); m != "" {
		if opt.Mapping, err = importers.ReadMapping(strings.NewReader(m)); err != nil {
			return geo.Invalidf("mapping", "%s", err.Error())
		}
	}
	parts := form.File["file"]
	if len(parts) == 0 {
		return geo.Invalidf("file", "no file uploaded (field \"file\", one or more)")
	}
	dir, err := os.MkdirTemp("", "riskmap-upload-")
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	defer os.RemoveAll(dir)
	files, err := saveUploads(dir, parts)
	if err != nil {
		return err
	}
	var stream *progressStream
	if strings.Contains(r.Header.Get(echo.HeaderAccept), ndjson) {
		stream = newProgressStream(c)
		opt.Progress = stream.progress
		defer stream.stop()
	}
	rep, err := s.importer.Import(r.Context(), files, opt)
	if errors.Is(err, importers.ErrOptions) {
		err = geo.Invalidf("options", "%s", strings.TrimPrefix(err.Error(), importers.ErrOptions.Error()+": "))
	}
	if err != nil {
		if stream != nil && stream.started() {
			// The answer has begun: the error is its last line.
			if p, ok := s.problemFor(err, c); ok {
				stream.last(map[string]any{"status": p.Status, "problem": p})
			}
			return nil
		}
		return err
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	switch {
	case opt.DryRun:
		s.metrics.imports.WithLabelValues("dry_run").Inc()
	case rep.Committed:
		s.metrics.imports.WithLabelValues("committed").Inc()
	default:
		s.metrics.imports.WithLabelValues("refused").Inc()
	}
	s.metrics.rows.Add(float64(rep.Rows))
	if !opt.DryRun {
		e := access.Entry{Action: "import", Target: "source:" + rep.Source + "/" + opt.Category, Outcome: "ok"}
		if !rep.Committed {
			e.Outcome = "refused"
		}
		var names []string
		for _, f := range rep.Files {
			names = append(names, f.Name+" sha256:"+f.SHA256)
		}
		s.audit(c, e, nil, map[string]any{"import_id": rep.ImportID, "files": names, "rows": rep.Rows, "invalid": rep.Invalid,
			"inserted": rep.Inserted, "updated": rep.Updated, "retired": rep.Retired, "replace": opt.Replace})
	}
	if stream != nil && stream.started() {
		stream.last(map[string]any{"status": status, "report": rep})
		return nil
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	c.Response().WriteHeader(status)
	return jsonEncode(c.Response(), rep)
}

// ndjson is the media type of an import's answer with progress: a line
// {"progress": {"rows", "read", "size"}} now and then while the server
// reads and checks, then {"status", "report"} (or {"status", "problem"}).
// An answer ready before the first line is sent as plain JSON.
const ndjson = "application/x-ndjson"

// progressEvery is how often an import's progress is sent.
const progressEvery = 250 * time.Millisecond

// progressStream sends an import's progress while it runs. The import
// calls progress from its reader; a ticker writes the latest figures.
type progressStream struct {
	c                echo.Context
	mu               sync.Mutex
	rows, read, size int64
	sent             bool // the answer has begun
	done             chan struct{}
	wg               sync.WaitGroup
}

func newProgressStream(c echo.Context) *progressStream {
	ps := &progressStream{c: c, done: make(chan struct{})}
	ps.wg.Add(1)
	go ps.run()
	return ps
}

func (ps *progressStream) progress(rows, read, size int64) {
	ps.mu.Lock()
	ps.rows, ps.read, ps.size = rows, read, size
	ps.mu.Unlock()
}

func (ps *progressStream) run() {
	defer ps.wg.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-ps.done:
			return
		case <-t.C:
			ps.mu.Lock()
			ps.line(map[string]any{"progress": map[string]int64{"rows": ps.rows, "read": ps.read, "size": ps.size}})
			ps.mu.Unlock()
		}
	}
}

// line writes one line of the answer; ps.mu is held.
func (ps *progressStream) line(v any) {
	w := ps.c.Response()
	if !ps.sent {
		ps.sent = true
		w.Header().Set(echo.HeaderContentType, ndjson)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
	}
	if err := json.NewEncoder(w).Encode(v); err == nil {
		http.NewResponseController(w.Writer).Flush()
	}
}

// started reports whether the answer has begun, after stopping the ticker.
func (ps *progressStream) started() bool {
	ps.stop()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.sent
}

// last writes the answer's last line.
func (ps *progressStream) last(v any) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.line(v)
}

func (ps *progressStream) stop() {
	select {
	case <-ps.done:
	default:
		close(ps.done)
	}
	ps.wg.Wait()
}

// saveUploads writes the uploaded parts into dir. The parts of one
// Shapefile (.shp, .shx, .dbf, .prj, .cpg) become one import of the folder.
func saveUploads(dir string, parts []*multipart.FileHeader) ([]importers.File, error) {
	var files []importers.File
	shp := ""
	for _, p := range parts {
		name := filepath.Base(strings.ReplaceAll(p.Filename, "\\", "/"))
		if name == "." || name == "/" || name == "" || strings.HasPrefix(name, ".") {
			return nil, geo.Invalidf("file", "file name %q is not allowed", p.Filename)
		}
		dst := filepath.Join(dir, name)
		if _, err := os.Lstat(dst); err == nil {
			return nil, geo.Invalidf("file", "two files are named %q", name)
		}
		if err := copyPart(p, dst); err != nil {
			return nil, fmt.Errorf("save upload %s: %w", name, err)
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".shp":
			if shp != "" {
				return nil, geo.Invalidf("file", "several .shp files in one upload: import them one by one")
			}
			shp = name
		case ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx":
		default:
			files = append(files, importers.File{Name: name, Path: dst})
		}
	}
	if shp != "" {
		if len(files) > 0 {
			return nil, geo.Invalidf("file", "a Shapefile's parts must be uploaded on their own")
		}
		return []importers.File{{Name: shp, Path: dir}}, nil
	}
	if len(files) == 0 {
		return nil, geo.Invalidf("file", "only Shapefile side files (.dbf, .shx, .prj …) were uploaded, without their .shp")
	}
	return files, nil
}

func copyPart(p *multipart.FileHeader, dst string) error {
	src, err := p.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
