package postgis

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"riskmap/geo"
	"riskmap/geo/access"
	"riskmap/geo/grading"
)

// Import is one import in progress: a transaction with a staging table.
// Nothing it stages is visible to others until Commit; Rollback (or a
// failure) leaves the database as it was.
type Import struct {
	s  *Store
	tx pgx.Tx
	// direct is set when the import copies straight into risk_object
	// (see Direct).
	direct *directCopy
	// placed are the divisions the import changed: what lies in them is
	// placed again when it commits.
	placed []string
}

// directCopy is the state of an import that copies into risk_object.
type directCopy struct {
	source   string
	category geo.Category
	actor    string // who the assessment records name
	copied   int64
	unbound  *unbound
	at       time.Time // the transaction's now(), for undated grades
	nextID   int64     // the id of the next object copied
	nextRec  int64     // the id of the next assessment record
	// Two chunks, one read while the other is copied (see stageDirect).
	chunks [2]chunk
	header binaryCopy
	attrs  []byte
	geom   bytes.Buffer
	ewkb   *ewkb.Encoder
	// counts are the objects copied, by county and grade ("" =
	// unassessed), for the county counts that the paused triggers do
	// not keep.
	counts map[[2]string]int32
}

// record is the first assessment of the objects of a chunk that one
// result graded: their ids are consecutive, first to last.
type record struct {
	id, first, last int64
	scheme, version any // NULL when no scheme graded it
	result          []byte
	grade           any // NULL when unassessed
	rows            group
}

// chunk is rows being copied directly: encoded for COPY, grouped by
// result (plain: the rows without one), with the records of the results.
// Its buffers are reused from chunk to chunk.
type chunk struct {
	records []record
	recOf   map[string]int32
	plain   group
}

func (c *chunk) reset() {
	if c.recOf == nil {
		c.recOf = map[string]int32{}
	}
	clear(c.recOf)
	for i := range c.records {
		c.records[i].result = nil // let go of the results
	}
	c.records = c.records[:0]
	c.plain.reset()
}

// group is rows encoded for COPY, with an object id and (unless plain) a
// record id still to be filled in.
type group struct {
	enc    binaryCopy
	starts []int // where each row begins in enc.buf
}

// directChunk is how many objects a direct copy writes before it writes
// their assessment records: a connection runs one COPY at a time.
const directChunk = 32768

// importLockKey serialises imports ("riskimp" in ASCII).
const importLockKey = 0x7269736b696d70

// BeginImport starts an import. Imports take turns: a second one waits
// until the first commits or rolls back.
func (s *Store) BeginImport(ctx context.Context) (*Import, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", classify(err))
	}
	if _, err := tx.Exec(ctx, s.q.get("import_lock"), int64(importLockKey)); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("wait for other imports: %w", classify(err))
	}
	if _, err := tx.Exec(ctx, s.q.get("import_settings")); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("configure import: %w", classify(err))
	}
	if _, err := tx.Exec(ctx, s.q.get("import_stage")); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("create staging table: %w", classify(err))
	}
	return &Import{s: s, tx: tx}, nil
}

// Stage streams rows into the staging table with COPY, calling next until
// it returns false. It returns the number of rows staged.
//
// Each call runs in a savepoint: when it fails (next's error ends the
// COPY), what it staged is undone and the import can go on with other
// files.
func (im *Import) Stage(ctx context.Context, next func() (geo.Row, bool, error)) (int64, error) {
	sp, err := im.tx.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("stage rows: %w", classify(err))
	}
	var n int64
	if im.direct != nil {
		n, err = im.stageDirect(ctx, sp, next)
	} else {
		src := &rowSource{next: next}
		n, err = sp.CopyFrom(ctx, pgx.Identifier{"import_rows"},
			[]string{"file", "row", "category", "source_id", "name", "lon", "lat", "county", "grade", "score", "method", "assessed_at", "attributes", "assessment", "division"}, src)
		if err != nil && src.err != nil {
			err = readError{src.err}
		}
	}
	if err != nil {
		sp.Rollback(context.WithoutCancel(ctx))
		var re readError
		if errors.As(err, &re) {
			return 0, re.error // the reader's own error, not COPY's text of it
		}
		return 0, fmt.Errorf("stage rows: %w", classify(err))
	}
	if err := sp.Commit(ctx); err != nil {
		return 0, fmt.Errorf("stage rows: %w", classify(err))
	}
	if im.direct != nil {
		im.direct.copied += n
	}
	return n, nil
}

// readError is an error of the rows' reader, passed on as it is.
type readError struct{ error }

// flushRecords writes the records of chunk c, copied just before.
func (im *Import) flushRecords(ctx context.Context, tx pgx.Tx, c *chunk) error {
	d := im.direct
	if len(c.records) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"risk_assessment"}, []string{"id", "object_id", "objects", "scheme", "version", "result", "grade", "reason", "assessed_by"},
		pgx.CopyFromSlice(len(c.records), func(i int) ([]any, error) {
			r := &c.records[i]
			var one, many any = r.first, nil
			if r.last > r.first {
				one, many = nil, pgtype.Range[pgtype.Int8]{Lower: pgtype.Int8{Int64: r.first, Valid: true}, Upper: pgtype.Int8{Int64: r.last, Valid: true},
					LowerType: pgtype.Inclusive, UpperType: pgtype.Inclusive, Valid: true}
			}
			return []any{r.id, one, many, r.scheme, r.version, r.result, r.grade, "import", d.actor}, nil
		}))
	if err != nil {
		return fmt.Errorf("record assessments: %w", err)
	}
	return nil
}

// stageDirect copies rows into risk_object a chunk at a time, then the
// chunk's records. Each row is encoded as it comes, into the group of its
// result; at the chunk's end the groups are numbered one after the other
// (so that each result's objects have consecutive ids, and one record of
// their range is theirs) and copied, while the next chunk is read.
func (im *Import) stageDirect(ctx context.Context, tx pgx.Tx, next func() (geo.Row, bool, error)) (int64, error) {
	d := im.direct
	type copied struct {
		n   int64
		err error
	}
	var (
		total   int64
		pending chan copied // the chunk being copied, if any
	)
	wait := func() error {
		if pending == nil {
			return nil
		}
		c := <-pending
		pending = nil
		total += c.n
		return c.err
	}
	defer wait() // the connection is the copy's until it ends
	for k := 0; ; k++ {
		c := &d.chunks[k%2]
		c.reset()
		n, done := 0, false
		for n < directChunk {
			row, ok, err := next()
			if err != nil {
				return 0, readError{err}
			}
			if !ok {
				done = true
				break
			}
			if err := d.add(c, &row); err != nil {
				return 0, err
			}
			n++
		}
		if n > 0 {
			// Number the objects, group by group, and name their records.
			parts := []io.Reader{bytes.NewReader(d.header.buf)}
			for i := range c.records {
				r := &c.records[i]
				r.id, r.first = d.nextRec, d.nextID
				d.nextRec++
				d.nextID = r.rows.number(d.nextID, r.id)
				r.last = d.nextID - 1
				parts = append(parts, bytes.NewReader(r.rows.enc.buf))
			}
			d.nextID = c.plain.number(d.nextID, 0)
			parts = append(parts, bytes.NewReader(c.plain.enc.buf), bytes.NewReader(trailer))
			if err := wait(); err != nil {
				return 0, err
			}
			pending = make(chan copied, 1)
			go func() {
				tag, err := tx.Conn().PgConn().CopyFrom(ctx, io.MultiReader(parts...), im.s.q.get("direct_copy"))
				if err == nil {
					err = im.flushRecords(ctx, tx, c)
				}
				pending <- copied{tag.RowsAffected(), err}
			}()
		}
		if done {
			err := wait()
			return total, err
		}
	}
}

// trailer ends COPY's binary data.
var trailer = []byte{0xff, 0xff}

func (g *group) reset() {
	g.enc.buf, g.starts = g.enc.buf[:0], g.starts[:0]
}

// number fills in the ids of the group's rows, from first on, and their
// record's id (rec 0: none, the rows are plain); it returns the next id.
func (g *group) number(first, rec int64) int64 {
	for i, at := range g.starts {
		binary.BigEndian.PutUint64(g.enc.buf[at+6:], uint64(first))
		first++
		if rec != 0 {
			end := len(g.enc.buf)
			if i+1 < len(g.starts) {
				end = g.starts[i+1]
			}
			binary.BigEndian.PutUint64(g.enc.buf[end-8:], uint64(rec))
		}
	}
	return first
}

// add encodes row into the group of its result in chunk c.
func (d *directCopy) add(c *chunk, row *geo.Row) error {
	o := &row.Object
	grade := ""
	if o.Grade.Assessed() {
		grade = o.Grade.String()
	}
	g := &c.plain
	if len(o.Assessment) > 0 {
		i, ok := c.recOf[string(o.Assessment)]
		if !ok {
			i = int32(len(c.records))
			c.recOf[string(o.Assessment)] = i
			if len(c.records) < cap(c.records) {
				c.records = c.records[:i+1] // and its buffers with it
			} else {
				c.records = append(c.records, record{})
			}
			r := &c.records[i]
			rows := r.rows
			rows.reset()
			*r = record{scheme: nullIfEmpty(o.Scheme), version: nullIfZero(o.SchemeVersion), result: o.Assessment, rows: rows}
			if grade != "" {
				r.grade = grade
			}
		}
		g = &c.records[i].rows
	}
	var err error
	if d.attrs, err = appendAttributes(d.attrs[:0], o.Attributes); err != nil {
		return fmt.Errorf("file %d row %d: encode attributes: %w", row.File, row.Line, err)
	}
	d.geom.Reset()
	if err := d.ewkb.Encode(o.Point); err != nil {
		return fmt.Errorf("file %d row %d: encode the point: %w", row.File, row.Line, err)
	}
	if o.County != "" {
		d.counts[[2]string{o.County, grade}]++
	}
	g.starts = append(g.starts, len(g.enc.buf))
	e := &g.enc
	e.row(14)
	e.int8(0) // the id, numbered at the chunk's end
	e.text(string(o.Category))
	e.text(o.Name)
	e.raw(d.geom.Bytes())
	e.textOrNull(o.County)
	e.textOrNull(o.Division)
	e.textOrNull(grade)
	e.float8OrNull(o.Score)
	e.textOrNull(o.Method)
	switch {
	case o.AssessedAt != nil:
		e.timestamptz(*o.AssessedAt)
	case grade != "":
		e.timestamptz(d.at) // a first load: no date of its own to keep
	default:
		e.null()
	}
	e.text(d.source)
	e.text(o.SourceID)
	e.jsonb(d.attrs)
	if g == &c.plain {
		e.null() // no record
	} else {
		e.int8(0) // the record's id, numbered at the chunk's end
	}
	return nil
}

// rowSource adapts a row iterator to pgx.CopyFromSource, for the
// staging table.
type rowSource struct {
	next  func() (geo.Row, bool, error)
	row   geo.Row
	err   error
	attrs []byte // the row's attributes as JSON
}

func (r *rowSource) Next() bool {
	var ok bool
	r.row, ok, r.err = r.next()
	return ok && r.err == nil
}

// Values encodes the current row. The attributes are written into a
// buffer reused from row to row: pgx copies each row's values before it
// asks for the next.
func (r *rowSource) Values() ([]any, error) {
	o := &r.row.Object
	var grade any
	if o.Grade.Assessed() {
		grade = o.Grade.String()
	}
	var err error
	if r.attrs, err = appendAttributes(r.attrs[:0], o.Attributes); err != nil {
		return nil, fmt.Errorf("file %d row %d: encode attributes: %w", r.row.File, r.row.Line, err)
	}
	var assessment any // NULL when unassessed
	if len(o.Assessment) > 0 {
		assessment = []byte(o.Assessment)
	}
	return []any{int32(r.row.File), int32(r.row.Line), string(o.Category), o.SourceID, o.Name, o.Point[0], o.Point[1],
		o.County, grade, o.Score, o.Method, o.AssessedAt, r.attrs, assessment, nullIfEmpty(o.Division)}, nil
}

func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return int32(n)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (r *rowSource) Err() error { return r.err }

// Direct decides whether the import copies its rows straight into
// risk_object instead of staging them: only when category has nothing at
// all yet from source, and the import (rows is the caller's estimate) is
// large, BulkRows or more, and larger than the map. Then risk_object's
// secondary indexes and constraints are dropped and its triggers paused
// until Merge restores them, and every Stage writes into risk_object,
// with each graded object's first assessment record (by actor): twice as
// fast for a first load, but the table is locked against readers until
// commit. Call it before the first Stage.
func (im *Import) Direct(ctx context.Context, source, actor string, category geo.Category, rows int64) (bool, error) {
	if im.direct != nil || rows < BulkRows {
		return im.direct != nil, nil
	}
	var active int64
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_count_active")).Scan(&active); err != nil {
		return false, fmt.Errorf("count objects: %w", classify(err))
	}
	if rows <= active {
		return false, nil
	}
	var fresh bool
	if err := im.tx.QueryRow(ctx, im.s.q.get("direct_fresh"), string(category), source).Scan(&fresh); err != nil {
		return false, fmt.Errorf("look for objects of source %q: %w", source, classify(err))
	}
	if !fresh {
		return false, nil
	}
	u, err := im.unbind(ctx)
	if err != nil {
		return false, err
	}
	var now time.Time
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_now")).Scan(&now); err != nil {
		return false, fmt.Errorf("read the import's time: %w", classify(err))
	}
	if _, err := im.tx.Exec(ctx, im.s.q.get("direct_lock")); err != nil {
		return false, fmt.Errorf("lock assessment records: %w", classify(err))
	}
	var first, firstRec int64
	if err := im.tx.QueryRow(ctx, im.s.q.get("direct_first_id")).Scan(&first, &firstRec); err != nil {
		return false, fmt.Errorf("draw ids: %w", classify(err))
	}
	im.direct = &directCopy{source: source, actor: actor, category: category, unbound: u, at: now, nextID: first, nextRec: firstRec,
		counts: map[[2]string]int32{}}
	im.direct.ewkb = ewkb.NewEncoder(&im.direct.geom).SetSRID(4490)
	im.direct.header.header()
	return true, nil
}

// Duplicates lists up to limit source ids staged more than once, looking
// only at candidates when they are given (nil: at every id). After
// Direct, the duplicates carry no files or lines: the copy does not know
// them.
func (im *Import) Duplicates(ctx context.Context, limit int, candidates []string) ([]geo.Duplicate, error) {
	if d := im.direct; d != nil {
		rows, err := im.tx.Query(ctx, im.s.q.get("direct_duplicates"), string(d.category), d.source, candidates, limit)
		if err != nil {
			return nil, fmt.Errorf("find duplicate ids: %w", classify(err))
		}
		var out []geo.Duplicate
		var id string
		var n int64
		_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
			out = append(out, geo.Duplicate{Category: d.category, SourceID: id})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find duplicate ids: %w", classify(err))
		}
		return out, nil
	}
	rows, err := im.tx.Query(ctx, im.s.q.get("import_duplicates"), limit, candidates)
	if err != nil {
		return nil, fmt.Errorf("find duplicate ids: %w", classify(err))
	}
	var out []geo.Duplicate
	var d geo.Duplicate
	var cat string
	_, err = pgx.ForEachRow(rows, []any{&cat, &d.SourceID, &d.Files, &d.Lines}, func() error {
		d.Category = geo.Category(cat)
		out = append(out, d)
		d = geo.Duplicate{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find duplicate ids: %w", classify(err))
	}
	return out, nil
}

// Dedupe keeps the first staged row of each source id and drops the rest;
// it returns how many it dropped. An import that copies directly cannot.
func (im *Import) Dedupe(ctx context.Context) (int64, error) {
	if im.direct != nil {
		return 0, errors.New("drop duplicate ids: the import copied straight into risk_object; stage it instead")
	}
	tag, err := im.tx.Exec(ctx, im.s.q.get("import_dedupe"))
	if err != nil {
		return 0, fmt.Errorf("drop duplicate ids: %w", classify(err))
	}
	return tag.RowsAffected(), nil
}

// Staged counts the staged (or directly copied) rows.
func (im *Import) Staged(ctx context.Context) (int64, error) {
	if im.direct != nil {
		return im.direct.copied, nil
	}
	var n int64
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_staged_count")).Scan(&n); err != nil {
		return 0, fmt.Errorf("count staged rows: %w", classify(err))
	}
	return n, nil
}

// Preview says what Merge would do, changing nothing.
func (im *Import) Preview(ctx context.Context, source string, categories []geo.Category, replace bool) (geo.MergeStats, error) {
	var st geo.MergeStats
	if im.direct != nil {
		return st, errors.New("preview the import: it copied straight into risk_object")
	}
	if _, err := im.tx.Exec(ctx, im.s.q.get("import_stage_analyze")); err != nil {
		return st, fmt.Errorf("analyze staged rows: %w", classify(err))
	}
	if err := im.gradeLinked(ctx, source); err != nil {
		return st, err
	}
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_preview"), source, replace, categoryNames(categories)).Scan(&st.Inserted, &st.Updated, &st.Retired,
		&st.InSource, &st.Elsewhere, &st.ElsewhereSource); err != nil {
		return st, fmt.Errorf("preview the import: %w", classify(err))
	}
	return st, nil
}

func categoryNames(categories []geo.Category) []string {
	cats := make([]string, len(categories))
	for i, c := range categories {
		cats[i] = string(c)
	}
	return cats
}

// Merge moves the staged rows into the risk objects of source. With
// replace, the active objects of source in categories that the import
// does not have are retired.
//
// A large import into a small table (BulkRows or more, and more than the
// table holds) drops risk_object's secondary indexes and constraints,
// writes plainly, and rebuilds them: many times faster than maintaining
// them row by row, but it locks the table against readers until commit.
// After Direct, the rows are in place already: Merge restores what
// Direct dropped.
func (im *Import) Merge(ctx context.Context, source, actor string, categories []geo.Category, replace bool) (geo.MergeStats, error) {
	var st geo.MergeStats
	if d := im.direct; d != nil {
		if source != d.source || actor != d.actor || len(categories) != 1 || categories[0] != d.category {
			return st, fmt.Errorf("merge: the import copied %s of %q, not %v of %q", d.category, d.source, categories, source)
		}
		// A fresh source has nothing to update or retire, and no hidden
		// hazards yet; every object with a grade has its first record
		// already (see flushRecords).
		st.Inserted = d.copied
		if _, err := im.tx.Exec(ctx, im.s.q.get("direct_last_id"), d.nextID, d.nextRec); err != nil {
			return st, fmt.Errorf("move the id sequences: %w", classify(err))
		}
		if err := im.rebind(ctx, d.unbound, categories, d.counts); err != nil {
			return st, err
		}
		if _, err := im.tx.Exec(ctx, im.s.q.get("direct_analyze")); err != nil {
			return st, fmt.Errorf("analyze: %w", classify(err))
		}
		return st, im.analyze(ctx, st)
	}
	var staged, active int64
	if _, err := im.tx.Exec(ctx, im.s.q.get("import_stage_analyze")); err != nil {
		return st, fmt.Errorf("analyze staged rows: %w", classify(err))
	}
	if err := im.gradeLinked(ctx, source); err != nil {
		return st, err
	}
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_staged_count")).Scan(&staged); err != nil {
		return st, fmt.Errorf("count staged rows: %w", classify(err))
	}
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_count_active")).Scan(&active); err != nil {
		return st, fmt.Errorf("count objects: %w", classify(err))
	}
	bulk := staged >= BulkRows && staged > active
	if bulk {
		u, err := im.unbind(ctx)
		if err != nil {
			return st, err
		}
		tag, err := im.tx.Exec(ctx, im.s.q.get("bulk_update"), source)
		if err != nil {
			return st, fmt.Errorf("update rows: %w", classify(err))
		}
		st.Updated = tag.RowsAffected()
		if tag, err = im.tx.Exec(ctx, im.s.q.get("bulk_insert"), source); err != nil {
			return st, fmt.Errorf("insert rows: %w", classify(err))
		}
		st.Inserted = tag.RowsAffected()
		if err := im.rebind(ctx, u, categories, nil); err != nil {
			return st, err
		}
		// The table grew past what the planner knows of it: without fresh
		// statistics the retirement below joins it to the staged rows row
		// by row.
		if err := im.analyze(ctx, st); err != nil {
			return st, err
		}
	} else if err := im.tx.QueryRow(ctx, im.s.q.get("import_merge"), source).Scan(&st.Inserted, &st.Updated); err != nil {
		return st, fmt.Errorf("store rows: %w", classify(err))
	}
	if replace {
		tag, err := im.tx.Exec(ctx, im.s.q.get("import_retire"), source, categoryNames(categories))
		if err != nil {
			return st, fmt.Errorf("retire objects the source no longer has: %w", classify(err))
		}
		st.Retired = tag.RowsAffected()
	}
	// Fresh statistics before the records are written: they join the
	// changed objects to the staged rows.
	if !bulk || st.Retired > 0 { // else analyzed above
		if err := im.analyze(ctx, st); err != nil {
			return st, err
		}
	}
	return st, im.assess(ctx, source, actor, categories)
}

// assess grades again, with their hidden hazards, the changed objects
// that have open ones (the import graded them without), then records an
// assessment for every changed object whose assessment is new.
func (im *Import) assess(ctx context.Context, source, actor string, categories []geo.Category) error {
	rows, err := im.tx.Query(ctx, im.s.q.get("import_linked"), source, categoryNames(categories))
	if err != nil {
		return fmt.Errorf("find objects with hidden hazards: %w", classify(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("find objects with hidden hazards: %w", classify(err))
	}
	if len(ids) > 0 {
		if _, err := regrade(ctx, im.tx, im.s.q, RegradeFilter{IDs: ids}, nil, "hidden_hazard", actor); err != nil {
			return err
		}
	}
	for _, c := range categories {
		if _, err := im.tx.Exec(ctx, im.s.q.get("import_assess"), string(c), source, actor); err != nil {
			return fmt.Errorf("record assessments: %w", classify(err))
		}
	}
	return nil
}

// gradeLinked grades again, with their hidden hazards, the staged rows of
// known objects that have open ones: graded without (an import does not
// know them), an unchanged row would look changed, and importing the same
// file twice would change the object twice.
func (im *Import) gradeLinked(ctx context.Context, source string) error {
	rows, err := im.tx.Query(ctx, im.s.q.get("import_rows_linked"), source)
	if err != nil {
		return fmt.Errorf("find staged objects with hidden hazards: %w", classify(err))
	}
	type linked struct {
		file, row int32
		o         geo.Object
		h         grading.Hazards
	}
	var found []linked
	var (
		l          linked
		cat, grade string
		attrs      []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&l.file, &l.row, &cat, &grade, &l.o.Method, &l.o.Score, &l.o.AssessedAt, &attrs, &l.o.Assessment,
		&l.h.OpenMajor, &l.h.Overdue, &l.h.Open}, func() error {
		var err error
		l.o.Category = geo.Category(cat)
		if l.o.Grade, err = geo.ParseGrade(grade); err != nil {
			return err
		}
		l.o.Attributes = nil
		if err := json.Unmarshal(attrs, &l.o.Attributes); err != nil {
			return err
		}
		l.o.Assessment = append(json.RawMessage(nil), l.o.Assessment...)
		found = append(found, l)
		l = linked{}
		return nil
	})
	if err != nil {
		return fmt.Errorf("find staged objects with hidden hazards: %w", classify(err))
	}
	if len(found) == 0 {
		return nil
	}
	set, err := im.Grading(ctx)
	if err != nil {
		return err
	}
	set.Prepare()
	for _, l := range found {
		if _, err := set.Apply(&l.o, l.h, nil, time.Time{}); err != nil {
			return fmt.Errorf("grade file %d row %d with its hidden hazards: %w", l.file, l.row, err)
		}
		g := ""
		if l.o.Grade.Assessed() {
			g = l.o.Grade.String()
		}
		var assessment any
		if len(l.o.Assessment) > 0 {
			assessment = []byte(l.o.Assessment)
		}
		if _, err := im.tx.Exec(ctx, im.s.q.get("import_rows_regrade"), l.file, l.row, g, l.o.Score, l.o.Method, l.o.AssessedAt, assessment); err != nil {
			return fmt.Errorf("grade file %d row %d with its hidden hazards: %w", l.file, l.row, classify(err))
		}
	}
	return nil
}

// Grading returns the grading configuration in force, as the import's
// transaction sees it.
func (im *Import) Grading(ctx context.Context) (grading.Set, error) {
	return currentGrading(ctx, im.tx, im.s.q)
}

// analyze refreshes the planner's statistics after a change: a freshly
// loaded table otherwise looks empty to it (and autovacuum may take a
// minute to notice).
func (im *Import) analyze(ctx context.Context, st geo.MergeStats) error {
	if st.Inserted+st.Updated+st.Retired == 0 {
		return nil
	}
	if _, err := im.tx.Exec(ctx, im.s.q.get("import_analyze")); err != nil {
		return fmt.Errorf("analyze: %w", classify(err))
	}
	return nil
}

// BulkRows is the smallest import that may rebuild indexes (see Merge).
const BulkRows = 50000

// unbound is what unbind dropped, from the catalog's own definitions.
type unbound struct {
	constraints, indexes []catalogDef
}

type catalogDef struct{ name, sql string }

// unbind drops risk_object's secondary indexes and its unique and
// foreign-key constraints, and pauses its triggers, for a bulk write;
// rebind restores them. Both run in the import's transaction: a rollback
// restores them too.
// catalog reads (name, definition) pairs with query q.
func (im *Import) catalog(ctx context.Context, q string) ([]catalogDef, error) {
	rows, err := im.tx.Query(ctx, im.s.q.get(q))
	if err != nil {
		return nil, err
	}
	var out []catalogDef
	var d catalogDef
	_, err = pgx.ForEachRow(rows, []any{&d.name, &d.sql}, func() error { out = append(out, d); return nil })
	return out, err
}

// dropIndexes and createIndexes drop and rebuild indexes read by catalog:
// names and definitions come from the catalog, not from input.
func (im *Import) dropIndexes(ctx context.Context, idxs []catalogDef) error {
	for _, i := range idxs {
		if _, err := im.tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{i.name}.Sanitize()); err != nil {
			return fmt.Errorf("drop index %s: %w", i.name, classify(err))
		}
	}
	return nil
}

func (im *Import) createIndexes(ctx context.Context, idxs []catalogDef) error {
	for _, i := range idxs {
		if _, err := im.tx.Exec(ctx, i.sql); err != nil {
			return fmt.Errorf("rebuild index %s: %w", i.name, classify(err))
		}
	}
	return nil
}

func (im *Import) unbind(ctx context.Context) (*unbound, error) {
	var u unbound
	var err error
	if u.constraints, err = im.catalog(ctx, "bulk_constraints"); err != nil {
		return nil, fmt.Errorf("read constraints: %w", classify(err))
	}
	if u.indexes, err = im.catalog(ctx, "bulk_indexes"); err != nil {
		return nil, fmt.Errorf("read indexes: %w", classify(err))
	}
	for _, c := range u.constraints {
		if _, err := im.tx.Exec(ctx, "ALTER TABLE risk_object DROP CONSTRAINT "+pgx.Identifier{c.name}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop constraint %s: %w", c.name, classify(err))
		}
	}
	if err := im.dropIndexes(ctx, u.indexes); err != nil {
		return nil, err
	}
	// The table is ours alone until commit: skip the triggers that would
	// queue every new row for the layer-version bump; rebind bumps once.
	if _, err := im.tx.Exec(ctx, "ALTER TABLE risk_object DISABLE TRIGGER USER"); err != nil {
		return nil, fmt.Errorf("pause triggers: %w", classify(err))
	}
	return &u, nil
}

// rebind undoes unbind and moves the versions of the layers of
// categories. The county counts are rebuilt, or, given the counts of a
// direct copy (of one category, the first), added to.
func (im *Import) rebind(ctx context.Context, u *unbound, categories []geo.Category, counts map[[2]string]int32) error {
	if _, err := im.tx.Exec(ctx, "ALTER TABLE risk_object ENABLE TRIGGER USER"); err != nil {
		return fmt.Errorf("resume triggers: %w", classify(err))
	}
	if counts == nil {
		if _, err := im.tx.Exec(ctx, im.s.q.get("bulk_bump"), categoryNames(categories)); err != nil {
			return fmt.Errorf("bump layer versions: %w", classify(err))
		}
	} else {
		var counties, cats, grades []string
		var ns []int32
		for k, n := range counts {
			counties, cats, grades, ns = append(counties, k[0]), append(cats, string(categories[0])), append(grades, k[1]), append(ns, n)
		}
		if _, err := im.tx.Exec(ctx, im.s.q.get("direct_bump"), categoryNames(categories), counties, cats, grades, ns); err != nil {
			return fmt.Errorf("bump layer versions: %w", classify(err))
		}
	}
	for _, c := range u.constraints {
		if _, err := im.tx.Exec(ctx, "ALTER TABLE risk_object ADD CONSTRAINT "+pgx.Identifier{c.name}.Sanitize()+" "+c.sql); err != nil {
			return fmt.Errorf("restore constraint %s: %w", c.name, classify(err))
		}
	}
	return im.createIndexes(ctx, u.indexes)
}

// Record writes the import's record; values are encoded as JSON.
func (im *Import) Record(ctx context.Context, actor string, category, source string, files, options, counts, problems any, problemsTotal int) (int64, error) {
	enc := func(v any) ([]byte, error) { return json.Marshal(v) }
	f, err := enc(files)
	if err != nil {
		return 0, err
	}
	o, err := enc(options)
	if err != nil {
		return 0, err
	}
	c, err := enc(counts)
	if err != nil {
		return 0, err
	}
	pr, err := enc(problems)
	if err != nil {
		return 0, err
	}
	var division any
	if p := access.ActorFrom(ctx); p != nil && p.Division != "" {
		division = p.Division
	}
	var id int64
	if err := im.tx.QueryRow(ctx, im.s.q.get("import_record"), actor, category, source, f, o, c, division, pr, problemsTotal).Scan(&id); err != nil {
		return 0, fmt.Errorf("record import: %w", classify(err))
	}
	return id, nil
}

// UpsertDivision writes one administrative division within the import,
// in a savepoint: a refused boundary leaves the import usable.
func (im *Import) UpsertDivision(ctx context.Context, d geo.Division, source string) (bool, error) {
	if p := access.ActorFrom(ctx); p != nil && !geo.Within(p.Division, d.Code) {
		return false, &geo.ScopeError{Target: d.Code, TargetName: d.Name, Actor: p.Division, ActorName: p.DivisionName, What: "division " + d.Code}
	}
	sp, err := im.tx.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("division %s: %w", d.Code, classify(err))
	}
	changed, err := upsertDivision(ctx, sp, im.s.q, d, source)
	if err != nil {
		sp.Rollback(context.WithoutCancel(ctx))
		return false, err
	}
	if changed {
		im.placed = append(im.placed, d.Code)
	}
	return changed, sp.Commit(ctx)
}

// Commit makes the import visible. When divisions changed, what lies in
// them is placed again first (see division_replace.sql).
func (im *Import) Commit(ctx context.Context) error {
	if len(im.placed) > 0 {
		var o, h, i int64
		if err := im.tx.QueryRow(ctx, im.s.q.get("division_replace"), im.placed).Scan(&o, &h, &i); err != nil {
			return scoped(ctx, fmt.Errorf("place the objects in the divisions loaded: %w", classify(err)))
		}
	}
	if err := im.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit import: %w", classify(err))
	}
	return nil
}

// Rollback abandons the import; it is safe to call after Commit.
func (im *Import) Rollback(ctx context.Context) {
	im.tx.Rollback(context.WithoutCancel(ctx))
}

// SRIDKnown reports whether PostGIS knows the EPSG code.
func (s *Store) SRIDKnown(ctx context.Context, srid int) (bool, error) {
	var ok bool
	if err := s.pool.QueryRow(ctx, s.q.get("srid_known"), srid).Scan(&ok); err != nil {
		return false, fmt.Errorf("look up EPSG:%d: %w", srid, classify(err))
	}
	return ok, nil
}

// Transform converts points from EPSG srid to CGCS2000 lon/lat in place,
// in one round trip. A point the system cannot transform (outside a
// projection's domain) becomes NaN, NaN.
func (s *Store) Transform(ctx context.Context, srid int, pts []orb.Point) error {
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	rows, err := s.pool.Query(ctx, s.q.get("transform_points"), xs, ys, srid)
	if err != nil {
		return fmt.Errorf("transform from EPSG:%d: %w", srid, classify(err))
	}
	i := 0
	var x, y *float64
	_, err = pgx.ForEachRow(rows, []any{&x, &y}, func() error {
		if i < len(pts) {
			pts[i] = orb.Point{math.NaN(), math.NaN()}
			if x != nil && y != nil {
				pts[i] = orb.Point{*x, *y}
			}
		}
		i++
		return nil
	})
	if err != nil {
		return fmt.Errorf("transform from EPSG:%d: %w", srid, classify(err))
	}
	if i != len(pts) {
		return fmt.Errorf("transform from EPSG:%d: %d points in, %d out", srid, len(pts), i)
	}
	return nil
}
