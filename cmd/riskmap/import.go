package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"riskmap/geo"
	"riskmap/geo/postgis"
	"riskmap/importers"
)

const importHelp = `Usage: riskmap import --category C [flags] FILE...

Imports risk objects (or, with --category counties, admin-area boundaries)
from CSV, Excel (.xlsx), GeoJSON (collection or one feature per line), and
through GDAL Shapefile (.shp, a folder, or a .zip), GeoPackage and KML.
Chinese and English headers are recognised (名称, 经度, 纬度, 风险等级, 所属区县,
编号 …); other columns are kept as attributes; --mapping overrides.

With --category roads, the lines of GeoJSON, Shapefile, GeoPackage or KML
files become the road network that dispatch routes on: fields 名称/name,
道路等级/class/highway/fclass (高速公路, 国道, 省道, 县道, 乡道, 村道 or OSM's
motorway … track: a speed by class when none is given), 单行/oneway
(yes/no/-1), 限速/设计速度/speed/maxspeed (km/h), 编号/id. Roads join where
their end points meet: split the lines at junctions. --replace removes the
source's roads the files no longer have; the network's topology is
rebuilt, all in one transaction.

All FILEs go in one transaction: all of them, or — when any row is invalid
and --skip-invalid is not given — nothing. Importing the same source again
changes only what changed. Works with the embedded data directory whether or
not a server runs on it, or with DATABASE_URL.
`

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db dbConfig
	fs := newFlagSet("import", importHelp, stderr)
	db.register(fs, getenv)
	var opt importers.Options
	var mappingFile, reportFile string
	fs.StringVar(&opt.Category, "category", "", "enterprises, bridges, black_spots, rescue_resources, shelters, counties (admin areas), roads (the road network for dispatch), or zones (planners' hazard zones)")
	fs.StringVar(&opt.CRS, "crs", "", "coordinate system of the input: wgs84, cgcs2000, gcj02 (AMap, Tencent), bd09 (Baidu) or EPSG:n (e.g. EPSG:4549); default: the file's .prj, else wgs84")
	fs.StringVar(&opt.Encoding, "encoding", "", "text encoding of CSV and Shapefile attributes: utf-8, gbk or gb18030; default: detect")
	fs.StringVar(&opt.Sheet, "sheet", "", "Excel sheet (or GIS layer) to read")
	fs.StringVar(&mappingFile, "mapping", "", "JSON file mapping headers to fields: {\"columns\": {\"单位名\": \"name\"}, \"crs\": \"gcj02\", \"grade_scale\": {\"1\": \"red\"}}")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "check everything and report what would change; write nothing")
	fs.BoolVar(&opt.SkipInvalid, "skip-invalid", false, "import the valid rows and report the others (default: any invalid row stops the import)")
	fs.BoolVar(&opt.Replace, "replace", false, "retire the source's objects that the files no longer have (they are kept, off the map; roads are deleted from the network)")
	fs.StringVar(&opt.Source, "source", "", "name of the data's source, e.g. 市应急管理局企业清单; re-imports of one source update it (default: the first file's name)")
	fs.StringVar(&reportFile, "report", "", "write the problems to this file, as CSV (.csv) or JSON (.json)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	var zoneOpt geo.ZoneOptions
	fs.BoolVar(&zoneOpt.Repair, "repair", false, "zones: mend repairable geometry faults (unclosed or clockwise rings, spikes, crossing edges) instead of stopping")
	fs.BoolVar(&zoneOpt.Clip, "clip", false, "zones: cut off what lies outside the county boundaries instead of stopping")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opt.Category == "" {
		fs.Usage()
		return fmt.Errorf("--category is required")
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no FILE to import")
	}
	if mappingFile != "" {
		f, err := os.Open(mappingFile)
		if err != nil {
			return fmt.Errorf("--mapping: %w", err)
		}
		opt.Mapping, err = importers.ReadMapping(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	var files []importers.File
	for _, p := range fs.Args() {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		files = append(files, importers.File{Name: filepath.Base(p), Path: p})
	}
	opt.Actor = "cli:" + currentUser()
	if reportFile != "" {
		opt.MaxProblems = 100000 // the file gets them all, up to this
	}
	if !*quiet && isTerminal(stderr) {
		opt.Progress = progressBar(stderr, time.Now())
	}
	if opt.Category == "zones" {
		switch {
		case mappingFile != "":
			return fmt.Errorf("--mapping: zone imports read their fields by name (see the README's hazard zoning)")
		case reportFile != "":
			return fmt.Errorf("--report: zone imports print their problems; there is no report file for them")
		case opt.Replace:
			return fmt.Errorf("--replace: zones are never replaced wholesale; delete the ones to go in the editor or with DELETE /api/v1/zones/{id}")
		}
		return importZones(ctx, &db, files, opt, zoneOpt, stdout, stderr)
	}
	if zoneOpt.Repair || zoneOpt.Clip {
		return fmt.Errorf("--repair and --clip are for --category zones")
	}
	if opt.Category == "roads" {
		switch {
		case mappingFile != "":
			return fmt.Errorf("--mapping: road imports read their fields by name (see the README's road network)")
		case reportFile != "":
			return fmt.Errorf("--report: road imports print their problems; there is no report file for them")
		}
		return importRoads(ctx, &db, files, opt, stdout, stderr)
	}
	store, closeDB, err := db.openCurrent(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	// An import holds little (a few batches of rows) but allocates much:
	// collect less often, within a bound that keeps the process small
	// whatever the file's size.
	debug.SetGCPercent(importGCPercent)
	debug.SetMemoryLimit(importMemoryLimit)
	rep, err := importers.Run(ctx, importers.Adapt(store), files, opt)
	if opt.Progress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if errors.Is(err, importers.ErrOptions) {
		return err
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if reportFile != "" {
		if werr := writeReport(reportFile, rep); werr != nil {
			return werr
		}
	}
	printReport(stdout, rep, reportFile)
	if !rep.OK() {
		return fmt.Errorf("nothing imported: %d invalid rows (see above; --skip-invalid imports the valid ones)", rep.Invalid)
	}
	return nil
}

// The import command's garbage collector settings (see runImport).
const (
	importGCPercent   = 400
	importMemoryLimit = 140 << 20
)

// storeImporter runs imports for the web server.
type storeImporter struct{ db importers.DB }

func (s storeImporter) Import(ctx context.Context, files []importers.File, opt importers.Options) (*importers.Report, error) {
	return importers.Run(ctx, s.db, files, opt)
}

// openCurrent opens the database and refuses a schema that is not this
// riskmap's; close it with the function it returns.
func (c *dbConfig) openCurrent(ctx context.Context, stderr io.Writer) (*postgis.Store, func(), error) {
	store, closeDB, err := c.open(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	if err := requireCurrentSchema(ctx, store); err != nil {
		closeDB()
		return nil, nil, err
	}
	return store, closeDB, nil
}

// requireCurrentSchema refuses a schema that is behind this riskmap, or
// ahead of it.
func requireCurrentSchema(ctx context.Context, store *postgis.Store) error {
	st, err := store.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if len(st.Unknown) > 0 {
		return fmt.Errorf("the database schema has migrations %v that this riskmap (%s) does not know: run a newer riskmap", st.Unknown, versionString())
	}
	if !st.Current() {
		return fmt.Errorf("the database schema is at migration %d of %d: run \"riskmap migrate\" first", st.Applied, st.Known)
	}
	return nil
}

func printReport(w io.Writer, r *importers.Report, reportFile string) {
	shown := 0
	for _, p := range r.Problems {
		if shown == 20 {
			fmt.Fprintf(w, "… %d more problems", r.ProblemsTotal-shown)
			if reportFile != "" {
				fmt.Fprintf(w, " in %s", reportFile)
			} else {
				fmt.Fprint(w, " (--report FILE lists them all)")
			}
			fmt.Fprintln(w)
			break
		}
		fmt.Fprintf(w, "%s: %s\n", p.Level, p.Error())
		shown++
	}
	verb := "imported"
	switch {
	case r.DryRun:
		verb = "dry run, nothing written; would import"
	case !r.Committed:
		verb = "nothing imported; valid"
	}
	fmt.Fprintf(w, "%s %s into %s (source %q): %d rows read, %d valid, %d invalid, %d warnings; %d new, %d updated, %d unchanged, %d retired (%.1f s)\n",
		verb, strings.Join(fileNames(r), ", "), r.Category, r.Source, r.Rows, r.Valid, r.Invalid, r.Warnings,
		r.Inserted, r.Updated, r.Unchanged, r.Retired, r.Seconds)
}

func fileNames(r *importers.Report) []string {
	var out []string
	for _, f := range r.Files {
		out = append(out, f.Name)
	}
	return out
}

// writeReport writes the problems as JSON or CSV, by the file's extension.
func writeReport(path string, r *importers.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".json") {
		enc := json.NewEncoder(f)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	f.WriteString("\ufeff") // so that Excel opens the Chinese text as UTF-8
	w := csv.NewWriter(f)
	w.Write([]string{"level", "file", "row", "column", "value", "reason", "原因"})
	for _, p := range r.Problems {
		w.Write([]string{p.Level, p.File, strconv.Itoa(p.Row), p.Column, p.Value, p.Reason, p.ReasonZH})
	}
	w.Flush()
	return w.Error()
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "unknown"
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar draws rows, rows/s and, when the size is known, a bar and
// an ETA on one line, at most five times a second.
func progressBar(w io.Writer, start time.Time) func(rows, read, size int64) {
	var last time.Time
	return func(rows, read, size int64) {
		now := time.Now()
		if now.Sub(last) < 200*time.Millisecond {
			return
		}
		last = now
		el := now.Sub(start).Seconds()
		rate := float64(rows) / max(el, 1e-3)
		line := fmt.Sprintf("%d rows  %.0f rows/s", rows, rate)
		if size > 0 && read > 0 {
			frac := float64(read) / float64(size)
			n := int(frac * 30)
			eta := time.Duration(el/frac*(1-frac)) * time.Second
			line = fmt.Sprintf("[%s%s] %3.0f%%  %s  ETA %s", strings.Repeat("#", n), strings.Repeat(".", 30-n), frac*100, line, eta.Round(time.Second))
		}
		fmt.Fprintf(w, "\r\033[K%s", line)
	}
}

// importRoads reads road lines and stores them as the road network, all
// or (when a row is bad and --skip-invalid is not given) nothing.
func importRoads(ctx context.Context, db *dbConfig, files []importers.File, opt importers.Options, stdout, stderr io.Writer) error {
	roads, probs, err := importers.ReadRoads(ctx, files, opt)
	if err != nil {
		return fmt.Errorf("import roads: %w", err)
	}
	printProblems(stdout, probs)
	if len(probs) > 0 && !opt.SkipInvalid {
		return fmt.Errorf("nothing imported: %d invalid roads (see above; --skip-invalid imports the valid ones)", len(probs))
	}
	if len(probs) > 0 && opt.Replace {
		// A skipped row is a road the files still have: replacing would
		// delete it from the network.
		return fmt.Errorf("nothing imported: --replace with %d invalid roads would delete roads the files still have; correct them first", len(probs))
	}
	if len(roads) == 0 {
		return fmt.Errorf("nothing imported: no road in the files")
	}
	if opt.DryRun {
		fmt.Fprintf(stdout, "dry run: %d roads would be imported, %d invalid left out\n", len(roads), len(probs))
		return nil
	}
	store, closeDB, err := db.openCurrent(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	source := opt.Source
	if source == "" {
		source = strings.TrimSuffix(files[0].Name, filepath.Ext(files[0].Name))
	}
	res, err := store.ImportRoads(ctx, source, roads, opt.Replace)
	if err != nil {
		return fmt.Errorf("import roads: %w", err)
	}
	fmt.Fprintf(stdout, "imported %d roads of %s (%d invalid left out, %d removed); the network has %d edges and %d vertices\n",
		res.Roads, source, len(probs), res.Removed, res.Edges, res.Vertices)
	return nil
}

// importZones reads hazard zones and stores them, all or (when a row or a
// geometry is bad) nothing.
func importZones(ctx context.Context, db *dbConfig, files []importers.File, opt importers.Options, zopt geo.ZoneOptions, stdout, stderr io.Writer) error {
	rows, probs, err := importers.ReadZones(ctx, files, opt)
	if err != nil {
		return fmt.Errorf("import zones: %w", err)
	}
	printProblems(stdout, probs)
	if len(probs) > 0 && !opt.SkipInvalid {
		return fmt.Errorf("nothing imported: %d invalid zones (see above; --skip-invalid imports the valid ones)", len(probs))
	}
	if len(rows) == 0 {
		return fmt.Errorf("nothing imported: no zone in the files")
	}
	store, closeDB, err := db.openCurrent(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	features := make([]geo.ZoneFeature, len(rows))
	where := make([]string, len(rows))
	for i, r := range rows {
		features[i], where[i] = r.Feature, fmt.Sprintf("%s row %d", r.File, r.Row)
	}
	n, err := store.ImportZones(ctx, features, where, zopt, opt.Actor, opt.DryRun)
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	if opt.DryRun {
		fmt.Fprintf(stdout, "dry run: %d zones would be imported, %d invalid left out\n", n, len(probs))
		return nil
	}
	fmt.Fprintf(stdout, "imported %d zones (%d invalid left out)\n", n, len(probs))
	return nil
}

// printProblems prints the first 20 problems of a road or zone import.
func printProblems(w io.Writer, probs []*importers.Problem) {
	for i, p := range probs {
		if i == 20 {
			fmt.Fprintf(w, "… and %d more problems\n", len(probs)-20)
			break
		}
		fmt.Fprintln(w, p.Error())
	}
}
