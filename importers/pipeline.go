package importers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/crs"
	"riskmap/geo/grading"
)

// DB is what an import needs of the store; cmd wires *postgis.Store in.
type DB interface {
	Counties(ctx context.Context, p geo.Page) ([]geo.Division, int, error)
	// PlacingDivisions are every division, the deepest first: where a
	// row's division is found.
	PlacingDivisions(ctx context.Context) ([]geo.Division, error)
	Grading(ctx context.Context) (grading.Set, error)
	SRIDKnown(ctx context.Context, srid int) (bool, error)
	Transform(ctx context.Context, srid int, pts []orb.Point) error
	BeginImport(ctx context.Context) (Tx, error)
}

// Tx is one import's transaction.
type Tx interface {
	Direct(ctx context.Context, source, actor string, category geo.Category, rows int64) (bool, error)
	Stage(ctx context.Context, next func() (geo.Row, bool, error)) (int64, error)
	Duplicates(ctx context.Context, limit int, candidates []string) ([]geo.Duplicate, error)
	Dedupe(ctx context.Context) (int64, error)
	Staged(ctx context.Context) (int64, error)
	Preview(ctx context.Context, source string, categories []geo.Category, replace bool) (geo.MergeStats, error)
	Merge(ctx context.Context, source, actor string, categories []geo.Category, replace bool) (geo.MergeStats, error)
	UpsertDivision(ctx context.Context, d geo.Division, source string) (bool, error)
	// Record keeps the import in the history, with its problems (as many
	// as the report kept) and their total.
	Record(ctx context.Context, actor, category, source string, files, options, counts, problems any, problemsTotal int) (int64, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context)
}

// File is one file to import.
type File struct {
	Name string // as the user knows it (the upload's name), for the report
	Path string // where it is on disk: a file, or a folder holding a Shapefile
}

// Options configure an import.
type Options struct {
	Category    string // a risk-object category, or "counties" for admin areas
	CRS         string // wgs84, cgcs2000, gcj02, bd09 or EPSG:n; "" = the mapping's, the file's, or wgs84
	Encoding    string // text encoding of CSV files and Shapefile attributes; "" = detect
	Sheet       string // Excel sheet, or GIS layer
	Mapping     *Mapping
	DryRun      bool    // validate and count, write nothing
	SkipInvalid bool    // import the valid rows, report the rest
	Replace     bool    // retire the source's objects the files no longer have
	Source      string  // "" = the first file's name without extension
	Actor       string  // who imports, for the record
	MarginM     float64 // how far outside the loaded counties a point may lie, in metres; 0 = 5,000
	MaxProblems int     // problems kept in the report (all are counted); 0 = 1000
	// Progress, if set, is called now and then with the rows read so far
	// and the bytes read of the current file (when known) and its size.
	Progress func(rows int64, read, size int64)
}

// FileInfo describes an imported file in the report and the record.
type FileInfo struct {
	Name     string   `json:"name"`
	SHA256   string   `json:"sha256"`
	Bytes    int64    `json:"bytes"`
	Format   string   `json:"format"`
	Encoding string   `json:"encoding,omitempty"`
	Sheet    string   `json:"sheet,omitempty"`
	Sheets   []string `json:"sheets,omitempty"` // a workbook's visible sheets
	CRS      string   `json:"crs"`
	// CRSVia says where CRS came from: "option" (--crs), "mapping",
	// "file" (a GeoJSON crs member, a Shapefile's .prj) or "default"
	// (none stated: WGS84 degrees).
	CRSVia string `json:"crs_via"`
	// Columns are the file's headers as read, with what each holds.
	Columns []Column `json:"columns,omitempty"`
}

// Column is a header of a file and the property it was mapped to.
type Column struct {
	Header string `json:"header"`
	// Key is the catalogue property the column holds (geo/catalogue.go),
	// or the attribute key it is kept under; "" when skipped.
	Key string `json:"key,omitempty"`
	// Via says why: "alias" (a header the catalogue knows), "mapping",
	// "attribute" (an unknown header, kept as an attribute), "shadowed"
	// (a second column for a field another holds, kept as an attribute)
	// or "skip" (mapped to nothing).
	Via string `json:"via"`
}

// Sample is one row as it will be stored, for the preview.
type Sample struct {
	File       string         `json:"file"`
	Row        int            `json:"row"`
	SourceID   string         `json:"source_id"`
	Name       string         `json:"name"`
	Lon        float64        `json:"lon"` // CGCS2000 (≈ WGS84)
	Lat        float64        `json:"lat"`
	County     string         `json:"county,omitempty"`
	Division   string         `json:"division,omitempty"`
	Grade      string         `json:"grade"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// The preview's bounds: rows shown as stored, positions for its map.
const (
	maxSample = 20
	maxPoints = 5000
)

// Report is what an import did, or would do with DryRun, and everything
// wrong with the input.
type Report struct {
	ImportID    int64      `json:"import_id,omitempty"`
	Category    string     `json:"category"`
	Source      string     `json:"source"`
	Files       []FileInfo `json:"files"`
	DryRun      bool       `json:"dry_run"`
	SkipInvalid bool       `json:"skip_invalid"`
	Replace     bool       `json:"replace"`
	Committed   bool       `json:"committed"` // the data is stored
	Rows        int        `json:"rows"`      // records read
	Valid       int        `json:"valid"`
	Invalid     int        `json:"invalid"`
	Warnings    int        `json:"warnings"`
	Inserted    int64      `json:"inserted"`
	Updated     int64      `json:"updated"`
	Unchanged   int64      `json:"unchanged"`
	Retired     int64      `json:"retired"`
	// Direct says that the rows were copied straight into the map: a
	// first load of a large source, which locks the map against readers
	// until it commits.
	Direct bool `json:"direct,omitempty"`
	// Refused says why the import as a whole was not done, when it was
	// not for invalid rows.
	Refused  string     `json:"refused,omitempty"`
	Problems []*Problem `json:"problems"`
	// Sample is the first rows as they will be stored; Points the
	// positions of up to 5,000 rows (longitude, latitude, 1 when the row
	// is good, 0 when it lies outside the area or is refused there).
	Sample []Sample     `json:"sample,omitempty"`
	Points [][3]float64 `json:"points,omitempty"`
	// SourceObjects counts the source's active objects before the
	// import; Elsewhere the rows whose id (or name and position) an
	// active object of another source of the category has already, the
	// most of them in ElsewhereSource: a sign that the file was given a
	// new source name and would add those objects a second time.
	SourceObjects   int64  `json:"source_objects"`
	Elsewhere       int64  `json:"elsewhere"`
	ElsewhereSource string `json:"elsewhere_source,omitempty"`
	// ProblemsTotal counts every problem, also those not kept in Problems.
	ProblemsTotal int     `json:"problems_total"`
	Seconds       float64 `json:"seconds"`
	// Phases times the steps in seconds: read (reading, checking and
	// staging the rows), merge (writing them into the map) and commit.
	Phases map[string]float64 `json:"phases"`
}

// OK reports whether the import found nothing that stopped it.
func (r *Report) OK() bool { return r.Refused == "" && (r.Invalid == 0 || r.SkipInvalid) }

// ErrOptions wraps invalid options; its message names the option.
var ErrOptions = errors.New("invalid import options")

// Run imports files in one transaction: all of them, or (unless
// SkipInvalid) nothing when any row is invalid. The error is for failures
// of the machinery (the database, a cancelled context, bad options); what
// is wrong with the data is in the report.
func Run(ctx context.Context, db DB, files []File, opt Options) (*Report, error) {
	start := time.Now()
	attempt := func(noDirect bool) (*run, error) {
		r := &run{db: db, opt: opt, start: start, noDirect: noDirect,
			rep: &Report{Category: opt.Category, DryRun: opt.DryRun, SkipInvalid: opt.SkipInvalid, Replace: opt.Replace, Phases: map[string]float64{}}}
		if err := r.prepare(ctx, files); err != nil {
			return nil, err
		}
		return r, r.run(ctx, files)
	}
	r, err := attempt(false)
	if errors.Is(err, errRestage) {
		// A first load copied straight into the map and found duplicate
		// ids, which the copy cannot place: stage instead, which can.
		r, err = attempt(true)
	}
	if r == nil {
		return nil, err
	}
	r.rep.Seconds = time.Since(start).Seconds()
	return r.rep, err
}

// errRestage ends a direct copy that found duplicate ids.
var errRestage = errors.New("duplicate ids in a direct copy: stage the import")

type run struct {
	start  time.Time
	db     DB
	tx     Tx
	cur    crs.System // the current file's coordinates, as the converter sees them
	conv   *converter // the current file's
	idCol  string     // the header of the id column, for duplicate reports
	opt    Options
	rep    *Report
	system crs.System
	// systemVia says where system came from (FileInfo.CRSVia).
	systemVia string
	loc       *geo.Locator      // over every division, the deepest first
	byName    map[string]string // county name or code → code
	names     map[string]string // county code → name
	// actor is whom the import acts for (nil: the system); its rows must
	// lie in actor's division.
	actor   *access.Principal
	rows    int64
	batch   []geo.Row // checked rows waiting to be staged
	pending []parsed
	// ids and maybeDup find duplicate ids cheaply: only ids the filter
	// may have seen are checked in SQL (all of them past maxCandidates).
	ids      *bloom
	maybeDup map[string]bool
	// noDirect forbids copying straight into the map; asked and direct
	// say whether the import asked for it, and got it (see Tx.Direct).
	noDirect, asked, direct bool
	grading                 *grading.Set // grades each row (not for counties)
	files                   []File
}

// maxCandidates bounds the ids remembered as possible duplicates.
const maxCandidates = 100000

func (r *run) prepare(ctx context.Context, files []File) error {
	o := &r.opt
	if p := access.ActorFrom(ctx); p != nil && p.Division != "" {
		r.actor = p
	}
	if o.Category != string(geo.Counties) {
		if _, err := geo.ParseCategory(o.Category); err != nil {
			return fmt.Errorf("%w: --category %q: want one of enterprises, bridges, black_spots, rescue_resources, shelters, counties", ErrOptions, o.Category)
		}
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: no file to import", ErrOptions)
	}
	if o.MaxProblems <= 0 {
		o.MaxProblems = 1000
	}
	if o.MarginM <= 0 {
		o.MarginM = 5000
	}
	name := o.CRS
	if name == "" && o.Mapping != nil {
		name = o.Mapping.CRS
	}
	if name != "" {
		s, err := crs.Parse(name)
		if err != nil {
			return fmt.Errorf("%w: --crs: %w", ErrOptions, err)
		}
		if srid, ok := s.SRID(); ok && !s.Named() {
			known, err := r.db.SRIDKnown(ctx, srid)
			if err != nil {
				return err
			}
			if !known {
				return fmt.Errorf("%w: --crs %s: PostGIS does not know this EPSG code", ErrOptions, s)
			}
		}
		r.system, r.systemVia = s, "option"
		if o.CRS == "" {
			r.systemVia = "mapping"
		}
	}
	switch strings.ToLower(o.Encoding) {
	case "", "utf-8", "utf8", "gbk", "gb18030", "gb2312":
	default:
		return fmt.Errorf("%w: --encoding %q: want utf-8, gbk or gb18030", ErrOptions, o.Encoding)
	}
	if o.Source == "" {
		o.Source = strings.TrimSuffix(filepath.Base(files[0].Name), filepath.Ext(files[0].Name))
		r.problem("", warningf(0, "", o.Source, "no --source given: the source is named after the file; give --source so that next month's file, under another name, updates these objects instead of adding them again",
			"未指定 --source：数据来源以文件名命名；请用 --source 指定，以便下次文件名不同时更新而不是重复导入"))
	}
	r.rep.Source = o.Source
	r.ids, r.maybeDup = newBloom(), map[string]bool{}
	if o.Category != string(geo.Counties) {
		set, err := r.db.Grading(ctx)
		if err != nil {
			return err
		}
		set.Prepare()
		r.grading = &set
		divs, _, err := r.db.Counties(ctx, geo.Page{Limit: 100000})
		if err != nil {
			return err
		}
		leaves, err := r.db.PlacingDivisions(ctx)
		if err != nil {
			return err
		}
		r.loc = geo.NewLocator(leaves)
		r.byName, r.names = map[string]string{}, map[string]string{}
		for _, d := range divs {
			r.byName[d.Code] = d.Code
			r.byName[d.Name] = d.Code
			r.byName[shortName(d.Name)] = d.Code
			r.names[d.Code] = d.Name
		}
	}
	return nil
}

// shortName drops the administrative suffix: 景宁畲族自治县 → 景宁, 龙泉市 → 龙泉.
func shortName(n string) string {
	for _, suf := range []string{"畲族自治县", "自治县", "区", "县", "市"} {
		if s := strings.TrimSuffix(n, suf); s != n && len([]rune(s)) >= 2 {
			return s
		}
	}
	return n
}

func (r *run) problem(file string, p *Problem) {
	p.File = file
	r.rep.ProblemsTotal++
	if p.Level == "warning" {
		r.rep.Warnings++
	}
	if len(r.rep.Problems) < r.opt.MaxProblems {
		r.rep.Problems = append(r.rep.Problems, p)
	}
}

func (r *run) run(ctx context.Context, files []File) error {
	r.files = files
	tx, err := r.db.BeginImport(ctx)
	if err != nil {
		return err
	}
	r.tx = tx
	defer tx.Rollback(ctx)
	failedFiles := 0
	for i, f := range files {
		validBefore := r.rep.Valid
		if err := r.file(ctx, tx, i, f); err != nil {
			var p *Problem
			if errors.As(err, &p) {
				r.problem(f.Name, p)
				r.rep.Invalid++ // the file as a whole
				r.rep.Valid = validBefore
				failedFiles++
				continue
			}
			return err
		}
	}
	if r.opt.Replace && (failedFiles > 0 || r.rep.Invalid > 0) {
		// Retiring what the files "no longer have" would retire the
		// objects of every row or file that could not be read.
		r.rep.Refused = "--replace with rows or files that could not be read would retire their objects: fix them, or import without --replace"
		r.problem("", problemf(0, "", "", r.rep.Refused, "有无法读取的行或文件时使用 --replace 会把它们的对象一并撤下：请先修正，或不用 --replace 导入"))
		return nil
	}
	if r.opt.Category == string(geo.Counties) {
		return r.finish(ctx, tx, nil)
	}
	// Duplicate ids inside the import: the first row wins with
	// --skip-invalid; either way the others are reported (up to the
	// report's limit) and counted.
	t := time.Now()
	var dups []geo.Duplicate
	if len(r.maybeDup) > 0 {
		var candidates []string // nil past the bound: check every id
		if len(r.maybeDup) <= maxCandidates {
			for id := range r.maybeDup {
				candidates = append(candidates, id)
			}
		}
		if dups, err = tx.Duplicates(ctx, r.opt.MaxProblems, candidates); err != nil {
			return err
		}
	}
	if r.direct && len(dups) > 0 {
		return errRestage
	}
	for _, d := range dups {
		for k := 1; k < len(d.Lines); k++ {
			first := files[d.Files[0]].Name
			en, zh := fmt.Sprintf("the id is already used by row %d of %s", d.Lines[0], first), fmt.Sprintf("编号与 %s 第 %d 行重复", first, d.Lines[0])
			if strings.HasPrefix(d.SourceID, "auto:") {
				en, zh = fmt.Sprintf("same name and position as row %d of %s (no id column tells them apart)", d.Lines[0], first),
					fmt.Sprintf("与 %s 第 %d 行名称和位置相同（没有编号列可以区分）", first, d.Lines[0])
			}
			r.problem(files[d.Files[k]].Name, problemf(d.Lines[k], r.idCol, d.SourceID, en, zh))
		}
	}
	var removed int64
	if len(dups) > 0 {
		if removed, err = tx.Dedupe(ctx); err != nil {
			return err
		}
	}
	r.rep.Invalid += int(removed)
	r.rep.Valid -= int(removed)
	r.rep.ProblemsTotal += int(removed) - min(int(removed), countDup(dups))
	r.rep.Phases["duplicates"] = time.Since(t).Seconds()
	cat, _ := geo.ParseCategory(r.opt.Category)
	return r.finish(ctx, tx, []geo.Category{cat})
}

// finish merges, records and commits, unless the import is rejected or a
// dry run.
func (r *run) finish(ctx context.Context, tx Tx, cats []geo.Category) error {
	if !r.rep.OK() {
		return nil // rolled back by the deferred Rollback
	}
	r.rep.Phases["read"] = time.Since(r.start).Seconds() - r.rep.Phases["duplicates"]
	t := time.Now()
	if cats != nil {
		var ms geo.MergeStats
		var err error
		if r.opt.DryRun {
			ms, err = tx.Preview(ctx, r.opt.Source, cats, r.opt.Replace) // no locks, no index rebuilds
		} else {
			ms, err = tx.Merge(ctx, r.opt.Source, r.opt.Actor, cats, r.opt.Replace)
		}
		if err != nil {
			return err
		}
		staged, err := tx.Staged(ctx)
		if err != nil {
			return err
		}
		r.rep.Inserted, r.rep.Updated, r.rep.Retired = ms.Inserted, ms.Updated, ms.Retired
		r.rep.SourceObjects, r.rep.Elsewhere, r.rep.ElsewhereSource = ms.InSource, ms.Elsewhere, ms.ElsewhereSource
		r.rep.Unchanged = staged - ms.Inserted - ms.Updated
	}
	if r.opt.DryRun {
		return nil
	}
	options := map[string]any{"dry_run": r.opt.DryRun, "skip_invalid": r.opt.SkipInvalid, "replace": r.opt.Replace,
		"crs": r.opt.CRS, "encoding": r.opt.Encoding, "sheet": r.opt.Sheet, "mapping": r.opt.Mapping}
	counts := map[string]any{"rows": r.rep.Rows, "valid": r.rep.Valid, "invalid": r.rep.Invalid, "warnings": r.rep.Warnings,
		"inserted": r.rep.Inserted, "updated": r.rep.Updated, "unchanged": r.rep.Unchanged, "retired": r.rep.Retired}
	id, err := tx.Record(ctx, r.opt.Actor, r.opt.Category, r.opt.Source, r.rep.Files, options, counts, r.rep.Problems, r.rep.ProblemsTotal)
	if err != nil {
		return err
	}
	r.rep.Phases["merge"] = time.Since(t).Seconds()
	t = time.Now()
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	r.rep.Phases["commit"] = time.Since(t).Seconds()
	r.rep.ImportID, r.rep.Committed = id, true
	return nil
}

// estimate guesses how many rows the import has, from the first batch of
// file index and the sizes of the files from it on; read is what the file
// has read so far, when known.
func (r *run) estimate(files []File, index int, read *countingReader, rows int, done bool) int64 {
	var total, first int64
	for i := index; i < len(files); i++ {
		if fi, err := os.Stat(files[i].Path); err == nil && !fi.IsDir() {
			total += fi.Size()
			if i == index {
				first = fi.Size()
			}
		}
	}
	switch {
	case done && index == len(files)-1:
		return int64(rows)
	case read != nil && read.n > 0 && first > 0:
		return int64(float64(rows) * float64(total) / float64(read.n))
	default:
		return total / 64 // a point row is rarely shorter
	}
}

// file imports one file into the open transaction.
func (r *run) file(ctx context.Context, tx Tx, index int, f File) error {
	info := FileInfo{Name: f.Name}
	sum, size, err := hashFile(f.Path)
	if err != nil {
		return problemf(0, "", "", "cannot read the file: "+err.Error(), "无法读取文件："+err.Error())
	}
	info.SHA256, info.Bytes = sum, size
	rd, counter, err := r.open(ctx, f, &info)
	if err != nil {
		r.rep.Files = append(r.rep.Files, info)
		return err
	}
	if c, ok := rd.(io.Closer); ok {
		defer c.Close()
	}
	r.rep.Files = append(r.rep.Files, info)
	fi := &r.rep.Files[len(r.rep.Files)-1]
	system := r.system
	fi.CRSVia = r.systemVia
	if system == (crs.System{}) {
		system, fi.CRSVia = crs.WGS84, "default"
		if g, ok := rd.(*GeoJSONReader); ok && g.SRID() != 0 {
			system, _ = crs.Parse(fmt.Sprintf("EPSG:%d", g.SRID()))
			fi.CRSVia = "file"
		}
		if _, ok := rd.(*GDALReader); ok {
			fi.CRSVia = "file" // GDAL reads the .prj (or the layer's SRS) and transforms
		}
	}
	fi.CRS = system.String()
	if _, ok := rd.(*GDALReader); ok && !system.Named() {
		system = crs.WGS84 // GDAL transformed it
	}
	r.cur = system
	conv := newConverter(r.opt.Category, system, r.opt.Mapping)
	conv.grading = r.grading
	if cr, ok := rd.(closingReader); ok {
		_, conv.textChecked = cr.Reader.(*CSVReader)
	}
	r.conv = conv
	checked := false
	progress := func() {
		if r.opt.Progress != nil && r.rows%4096 == 0 {
			var read int64
			if counter != nil {
				read = counter.n
			}
			r.opt.Progress(r.rows, read, size)
		}
	}
	// The first batch is read before staging starts, so that a file
	// without the required columns fails before any COPY.
	r.batch = r.batch[:0]
	rowsBefore := r.rep.Rows
	done, err := r.fill(ctx, rd, conv, f.Name, index, &checked, progress)
	if err != nil {
		return err
	}
	if r.idCol == "" {
		r.idCol = conv.res.column(FieldID)
	}
	if done && r.rep.Rows == rowsBefore {
		// Nothing but a header: importing it would change nothing, or,
		// with --replace, retire everything.
		return problemf(0, "", "", "the file has no rows", "文件没有数据行")
	}
	if !r.asked && !r.noDirect && !r.opt.DryRun && r.opt.Category != string(geo.Counties) {
		r.asked = true
		cat, _ := geo.ParseCategory(r.opt.Category)
		if r.direct, err = tx.Direct(ctx, r.opt.Source, r.opt.Actor, cat, r.estimate(r.files, index, counter, r.rep.Rows-rowsBefore, done)); err != nil {
			return err
		}
		r.rep.Direct = r.direct
	}
	if r.opt.Category == string(geo.Counties) {
		for !done { // divisions are written as they are read; nothing is staged
			if done, err = r.fill(ctx, rd, conv, f.Name, index, &checked, progress); err != nil {
				return err
			}
		}
		return nil
	}
	return r.stage(ctx, tx, done, func() (bool, error) { return r.fill(ctx, rd, conv, f.Name, index, &checked, progress) })
}

// stage stages r.batch and the batches that fill reads after it (unless
// done). Reading and checking run in a goroutine of their own, a batch
// ahead of the COPY, so that the two overlap: the database works on one
// batch while the next is read.
func (r *run) stage(ctx context.Context, tx Tx, done bool, fill func() (bool, error)) error {
	full := make(chan []geo.Row, readAhead)    // batches read, in order
	empty := make(chan []geo.Row, readAhead+1) // batches staged, for reuse
	stop := make(chan struct{})                // the COPY ended early
	var readErr error                          // set before full is closed
	var wg sync.WaitGroup
	cur := r.batch
	if done {
		close(full)
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(full)
			for !done {
				select {
				case b := <-empty:
					r.batch = b[:0]
				default:
					r.batch = nil
				}
				var err error
				if done, err = fill(); err != nil {
					readErr = err
					return
				}
				select {
				case full <- r.batch:
				case <-stop:
					return
				}
			}
		}()
	}
	i := 0
	next := func() (geo.Row, bool, error) {
		for {
			if i < len(cur) {
				i++
				return cur[i-1], true, nil
			}
			select {
			case empty <- cur:
			default:
			}
			b, ok := <-full
			if !ok {
				return geo.Row{}, false, readErr
			}
			cur, i = b, 0
		}
	}
	_, err := tx.Stage(ctx, next)
	close(stop)
	wg.Wait()
	return err
}

// batchSize is how many records are converted, transformed and located
// together: one round trip to PostGIS per batch for projected input.
const batchSize = 8192

// readAhead is how many batches the reader may be ahead of the COPY, so
// that it goes on while a direct copy numbers a chunk. More only holds
// more rows in memory: the import is then as fast as PostgreSQL.
const readAhead = 2

// fill reads up to batchSize records into r.batch. It reports true at the
// end of the file.
func (r *run) fill(ctx context.Context, rd Reader, conv *converter, file string, index int, checked *bool, progress func()) (bool, error) {
	r.pending = r.pending[:0]
	done := false
	for len(r.pending) < batchSize {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		rec, err := rd.Next()
		if err == io.EOF {
			done = true
			break
		}
		var p *Problem
		if errors.As(err, &p) && p.Row > 0 {
			r.rep.Rows++
			r.rep.Invalid++
			r.problem(file, p)
			continue
		}
		if err != nil {
			return false, err
		}
		r.rows++
		r.rep.Rows++
		progress()
		if !*checked {
			*checked = true
			if fi := &r.rep.Files[len(r.rep.Files)-1]; fi.Columns == nil {
				fi.Columns = conv.res.describe(rec.Names)
			}
			if p := conv.res.missing(rec.Names, conv.required(rec.Geometry != nil)); p != nil {
				return false, p
			}
			for _, s := range conv.res.shadowed {
				r.problem(file, warningf(0, s[0], "", fmt.Sprintf("column %q holds the same field as column %q, which is used; %q is kept as an attribute", s[0], s[1], s[0]),
					fmt.Sprintf("“%s”列与“%s”列是同一字段，采用“%s”，“%s”作为属性保留", s[0], s[1], s[1], s[0])))
			}
		}
		pr, probs := conv.convert(rec)
		for _, w := range pr.warnings {
			r.problem(file, w)
		}
		if len(probs) > 0 {
			r.rep.Invalid++
			for _, p := range probs {
				r.problem(file, p)
			}
			continue
		}
		if r.opt.Category == string(geo.Counties) {
			if p, err := r.placeDivision(ctx, &pr.div, rec.Row); err != nil {
				return false, err
			} else if p != nil {
				r.problem(file, p)
				r.rep.Invalid++
				continue
			}
			changed, err := r.tx.UpsertDivision(ctx, pr.div, r.opt.Source)
			if err != nil {
				r.problem(file, problemf(rec.Row, "geometry", "", "the database refused the area: "+rootMessage(err), "数据库拒绝了该行政区："+rootMessage(err)))
				r.rep.Invalid++
				continue
			}
			if changed {
				r.rep.Updated++ // inserted or changed: divisions do not tell apart
			} else {
				r.rep.Unchanged++
			}
			r.rep.Valid++
			continue
		}
		r.pending = append(r.pending, pr)
	}
	if len(r.pending) == 0 {
		return done, nil
	}
	if err := r.place(ctx, file, index); err != nil {
		return false, err
	}
	return done, nil
}

// place brings the pending records to CGCS2000, checks them against the
// service area, fills in counties and queues the good ones.
func (r *run) place(ctx context.Context, file string, index int) error {
	system := r.cur
	if srid, ok := system.SRID(); ok && !system.Named() && srid != 4326 && srid != 4490 {
		pts := make([]orb.Point, len(r.pending))
		for i, p := range r.pending {
			pts[i] = p.obj.Point
		}
		if err := r.db.Transform(ctx, srid, pts); err != nil {
			return err
		}
		for i := range r.pending {
			r.pending[i].obj.Point = pts[i]
		}
	} else if system.Named() {
		for i := range r.pending {
			r.pending[i].obj.Point = system.ToWGS84(r.pending[i].obj.Point)
		}
	}
	for _, p := range r.pending {
		o := p.obj
		point := len(r.rep.Points) < maxPoints && !math.IsNaN(o.Point[0])
		if math.IsNaN(o.Point[0]) {
			r.problem(file, problemf(p.row, r.conv.res.column(FieldLon), "", "the coordinates cannot be transformed from "+system.String()+": outside the area that system covers (wrong --crs?)",
				"坐标无法从 "+system.String()+" 转换：超出该坐标系的适用范围（--crs 是否有误？）"))
			r.rep.Invalid++
			continue
		}
		if prob := r.locate(&o, p.row); prob != nil {
			r.problem(file, prob)
			if prob.Level == "error" {
				r.rep.Invalid++
				if point {
					r.rep.Points = append(r.rep.Points, [3]float64{o.Point[0], o.Point[1], 0})
				}
				continue
			}
		}
		if point {
			r.rep.Points = append(r.rep.Points, [3]float64{o.Point[0], o.Point[1], 1})
		}
		if len(r.rep.Sample) < maxSample {
			r.rep.Sample = append(r.rep.Sample, Sample{File: file, Row: p.row, SourceID: o.SourceID, Name: o.Name, Lon: o.Point[0], Lat: o.Point[1],
				County: o.County, Division: o.Division, Grade: o.Grade.String(), Attributes: o.Attributes})
		}
		r.rep.Valid++
		if r.ids.seen(o.SourceID) && len(r.maybeDup) <= maxCandidates {
			r.maybeDup[o.SourceID] = true
		}
		r.batch = append(r.batch, geo.Row{File: index, Line: p.row, Object: o})
	}
	return nil
}

// locate checks that o lies in the service area — the loaded divisions
// plus a margin — and settles its county: the one stated in the file
// (checked against the position), else the one it lies in.
func (r *run) locate(o *geo.Object, row int) *Problem {
	p := o.Point
	if r.loc == nil { // no boundaries loaded: nothing to check against
		if o.County != "" {
			o.County = ""
			return warningf(row, r.conv.res.column(FieldCounty), "", "no admin boundaries are loaded, so the county is not stored: import them first (--category counties)", "尚未导入行政区划边界，区县未保存：请先导入（--category counties）")
		}
		return nil
	}
	d, inside := r.loc.Locate(p)
	if !inside {
		// Far outside the extent: no need for the exact distance.
		b := r.loc.Bound()
		if dx, dy := math.Max(math.Max(b.Min[0]-p[0], p[0]-b.Max[0]), 0), math.Max(math.Max(b.Min[1]-p[1], p[1]-b.Max[1]), 0); dx*dx+dy*dy > 0.25 {
			near, _ := r.loc.Nearest(b.Center())
			return r.outside(p, near, math.Hypot(dx*111320*math.Cos(p[1]*math.Pi/180), dy*110540), row)
		}
		near, dist := r.loc.Nearest(p)
		if dist > r.opt.MarginM {
			return r.outside(p, near, dist, row)
		}
		d = near
	}
	o.Division = d.Code
	if r.actor != nil && !geo.Within(r.actor.Division, d.Code) {
		se := geo.ScopeError{Target: d.Code, TargetName: d.Name, Actor: r.actor.Division, ActorName: r.actor.DivisionName, What: "the row"}
		return problemf(row, r.conv.res.column(FieldLon), fmt.Sprintf("%.6f, %.6f", p[0], p[1]), se.Error(),
			fmt.Sprintf("该行位于%s（%s），不在您的辖区%s（%s）内", d.Name, d.Code, r.actor.DivisionName, r.actor.Division))
	}
	at := geo.CountyOf(d.Code)
	if o.County == "" {
		o.County = at
		return nil
	}
	code, ok := r.byName[o.County]
	if !ok {
		code, ok = r.byName[shortName(o.County)]
	}
	if i := strings.LastIndex(o.County, "市"); !ok && i > 0 && i+len("市") < len(o.County) { // 丽水市莲都区
		rest := o.County[i+len("市"):]
		if code, ok = r.byName[rest]; !ok {
			code, ok = r.byName[shortName(rest)]
		}
	}
	if !ok && len(o.County) > 6 && r.byName[o.County[:6]] != "" { // a township code
		code, ok = r.byName[o.County[:6]], true
	}
	if !ok {
		return problemf(row, r.conv.res.column(FieldCounty), o.County, "unknown county: not the name or code of a loaded admin area", "未知的区县：不是已导入行政区的名称或代码")
	}
	o.County = code
	if code != at {
		name := r.names[at]
		return warningf(row, r.conv.res.column(FieldCounty), o.County, fmt.Sprintf("the county is %s but the point lies in %s (%s): check the position", code, name, at),
			fmt.Sprintf("所属区县为 %s，但坐标位于 %s（%s）：请核对坐标", code, name, at))
	}
	return nil
}

// outside explains a point outside the service area with its likely cause.
func (r *run) outside(p orb.Point, near geo.Division, dist float64, row int) *Problem {
	val := fmt.Sprintf("%.6f, %.6f", p[0], p[1])
	if _, ok := r.loc.Locate(orb.Point{p[1], p[0]}); ok {
		return problemf(row, r.conv.res.column(FieldLon), val, "outside the service area, but inside it with longitude and latitude swapped: are the columns swapped?",
			"位于服务范围外，但经纬度互换后在范围内：经度、纬度两列是否填反了？")
	}
	b := r.loc.Bound()
	en := fmt.Sprintf("outside the service area (%.0f km from %s): a wrong row, or the wrong --crs?", dist/1000, near.Name)
	zh := fmt.Sprintf("位于服务范围外（距%s %.0f 公里）：坐标有误，还是坐标系（--crs）不对？", near.Name, dist/1000)
	if math.Abs(p[0]-b.Center()[0]) > 20 || math.Abs(p[1]-b.Center()[1]) > 20 {
		en += " (far away: projected coordinates read as degrees, or degrees as the wrong system?)"
		zh += "（相距很远：是否把投影坐标当作经纬度，或坐标系弄错？）"
	}
	return problemf(row, r.conv.res.column(FieldLon), val, en, zh)
}

// open picks the reader for a file by its name.
func (r *run) open(ctx context.Context, f File, info *FileInfo) (Reader, *countingReader, error) {
	ext := strings.ToLower(filepath.Ext(f.Name))
	if fi, err := os.Stat(f.Path); err == nil && fi.IsDir() {
		ext = ".shp"
	}
	switch ext {
	case ".csv", ".txt", ".tsv":
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, nil, err
		}
		c := &countingReader{r: fh}
		rd, err := NewCSVReader(c, TableOptions{Encoding: r.opt.Encoding})
		if err != nil {
			fh.Close()
			return nil, nil, err
		}
		info.Format, info.Encoding = "csv", rd.Encoding()
		return closingReader{rd, fh}, c, nil
	case ".xlsx", ".xlsm":
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, nil, err
		}
		st, err := fh.Stat()
		if err != nil {
			fh.Close()
			return nil, nil, err
		}
		rd, err := NewExcelReader(fh, st.Size(), TableOptions{Sheet: r.opt.Sheet})
		if err != nil {
			fh.Close()
			return nil, nil, err
		}
		info.Format, info.Sheet, info.Sheets = "xlsx", rd.Sheet(), rd.Sheets()
		return closingReader{rd, fh}, nil, nil
	case ".xls":
		return nil, nil, problemf(0, "", "", "old .xls workbooks are not read: save it as .xlsx", "不支持旧版 .xls 工作簿，请另存为 .xlsx")
	case ".geojson", ".json", ".geojsonl", ".geojsons", ".ndjson", ".jsonl":
		fh, err := os.Open(f.Path)
		if err != nil {
			return nil, nil, err
		}
		c := &countingReader{r: fh}
		rd, err := NewGeoJSONReader(c)
		if err != nil {
			fh.Close()
			return nil, nil, err
		}
		info.Format = "geojson"
		return closingReader{rd, fh}, c, nil
	case ".shp", ".zip", ".gpkg", ".kml", ".kmz":
		opt := GDALOptions{Encoding: r.opt.Encoding, Layer: r.opt.Sheet}
		if r.system != (crs.System{}) {
			if r.system.Named() && r.system != crs.WGS84 && r.system != crs.CGCS2000 {
				opt.Raw = true
			} else if srid, ok := r.system.SRID(); ok {
				opt.SourceSRS = fmt.Sprintf("EPSG:%d", srid)
			}
		}
		rd, err := NewGDALReader(ctx, f.Path, opt)
		if err != nil {
			return nil, nil, err
		}
		info.Format = strings.TrimPrefix(ext, ".")
		if ext == ".zip" {
			info.Format = "shapefile (zip)"
		}
		return rd, nil, nil
	}
	return nil, nil, problemf(0, "", "", "unknown file type "+ext+": want .csv, .xlsx, .geojson, .shp/.zip, .gpkg or .kml",
		"不支持的文件类型 "+ext+"：应为 .csv、.xlsx、.geojson、.shp/.zip、.gpkg 或 .kml")
}

// closingReader closes the file under a reader.
type closingReader struct {
	Reader
	c io.Closer
}

func (c closingReader) Close() error {
	if rc, ok := c.Reader.(io.Closer); ok {
		rc.Close()
	}
	return c.c.Close()
}

// countingReader counts the bytes read, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// hashFile returns the SHA-256 and size of a file (of every file in a
// folder, in name order, for a Shapefile folder).
func hashFile(path string) (string, int64, error) {
	h := sha256.New()
	var size int64
	fi, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	paths := []string{path}
	if fi.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return "", 0, err
		}
		paths = paths[:0]
		for _, e := range ents {
			if !e.IsDir() {
				paths = append(paths, filepath.Join(path, e.Name()))
			}
		}
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", 0, err
		}
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", 0, err
		}
		size += n
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// rootMessage is the innermost error's text, for a report.
func rootMessage(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// Store is a database whose BeginImport returns its own transaction type;
// Adapt makes it a DB. (*postgis.Store is one, with *postgis.Import.)
type Store[T Tx] interface {
	Counties(ctx context.Context, p geo.Page) ([]geo.Division, int, error)
	PlacingDivisions(ctx context.Context) ([]geo.Division, error)
	Grading(ctx context.Context) (grading.Set, error)
	SRIDKnown(ctx context.Context, srid int) (bool, error)
	Transform(ctx context.Context, srid int, pts []orb.Point) error
	BeginImport(ctx context.Context) (T, error)
}

// Adapt turns a Store into the DB that Run takes.
func Adapt[T Tx](s Store[T]) DB { return adapted[T]{s} }

type adapted[T Tx] struct{ Store[T] }

func (a adapted[T]) BeginImport(ctx context.Context) (Tx, error) {
	tx, err := a.Store.BeginImport(ctx)
	if err != nil {
		return nil, err
	}
	return tx, nil
}

// countDup counts the duplicate rows that dups lists.
func countDup(dups []geo.Duplicate) int {
	n := 0
	for _, d := range dups {
		n += len(d.Lines) - 1
	}
	return n
}

// placeDivision brings an admin area's boundary to CGCS2000 lon/lat and
// checks its range.
func (r *run) placeDivision(ctx context.Context, d *geo.Division, row int) (*Problem, error) {
	system := r.cur
	var pts []orb.Point
	for _, poly := range d.Geometry {
		for _, ring := range poly {
			pts = append(pts, ring...)
		}
	}
	switch srid, ok := system.SRID(); {
	case system.Named():
		for i := range pts {
			pts[i] = system.ToWGS84(pts[i])
		}
	case ok && srid != 4326 && srid != 4490:
		if err := r.db.Transform(ctx, srid, pts); err != nil {
			return nil, err
		}
	}
	for _, p := range pts {
		if !validNumber(p[0]) || !validNumber(p[1]) || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
			return problemf(row, "geometry", fmt.Sprintf("%g, %g", p[0], p[1]), "the boundary has a vertex outside longitude/latitude range: wrong --crs?", "边界有超出经纬度范围的顶点：--crs 是否有误？"), nil
		}
	}
	k := 0
	for _, poly := range d.Geometry {
		for _, ring := range poly {
			copy(ring, pts[k:k+len(ring)])
			k += len(ring)
		}
	}
	return nil, nil
}
