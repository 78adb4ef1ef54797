package postgis

import (
	"encoding/binary"
	"math"
	"time"
)

// binaryCopy appends rows in the binary format of COPY (PostgreSQL's
// documentation, "COPY", "Binary Format"): a header, then for each row its
// number of fields and each field as a length and its value in the type's
// binary form, then a trailer. pgx's CopyFrom writes the same, through
// its type map for every value; a first load of a million rows writes
// them here, a fixed set of columns with known types, in a fraction of
// the time.
type binaryCopy struct{ buf []byte }

// pgEpoch is where PostgreSQL's binary timestamps count from, in Unix
// seconds (2000-01-01 UTC).
const pgEpoch = 946684800

func (b *binaryCopy) header() {
	b.buf = append(b.buf, "PGCOPY\n\xff\r\n\x00"...)
	b.buf = binary.BigEndian.AppendUint32(b.buf, 0) // flags
	b.buf = binary.BigEndian.AppendUint32(b.buf, 0) // header extension
}

// row starts a row of n fields.
func (b *binaryCopy) row(n int) { b.buf = binary.BigEndian.AppendUint16(b.buf, uint16(n)) }

func (b *binaryCopy) null() { b.buf = binary.BigEndian.AppendUint32(b.buf, 0xffffffff) }

func (b *binaryCopy) int8(v int64) {
	b.buf = binary.BigEndian.AppendUint32(b.buf, 8)
	b.buf = binary.BigEndian.AppendUint64(b.buf, uint64(v))
}

func (b *binaryCopy) float8(v float64) {
	b.buf = binary.BigEndian.AppendUint32(b.buf, 8)
	b.buf = binary.BigEndian.AppendUint64(b.buf, math.Float64bits(v))
}

// text writes text, varchar or an enum's label (whose binary form is its
// text).
func (b *binaryCopy) text(s string) {
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(len(s)))
	b.buf = append(b.buf, s...)
}

// raw writes p as the field's binary form (a geometry's EWKB).
func (b *binaryCopy) raw(p []byte) {
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(len(p)))
	b.buf = append(b.buf, p...)
}

// jsonb writes JSON text as jsonb: a version byte, then the text.
func (b *binaryCopy) jsonb(p []byte) {
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(len(p)+1))
	b.buf = append(b.buf, 1)
	b.buf = append(b.buf, p...)
}

// timestamptz writes t as microseconds from 2000-01-01 UTC.
func (b *binaryCopy) timestamptz(t time.Time) {
	b.int8((t.Unix()-pgEpoch)*1_000_000 + int64(t.Nanosecond()/1000))
}

// textOrNull, int8OrNull … write NULL for the zero value or nil.
func (b *binaryCopy) textOrNull(s string) {
	if s == "" {
		b.null()
		return
	}
	b.text(s)
}

func (b *binaryCopy) float8OrNull(v *float64) {
	if v == nil {
		b.null()
		return
	}
	b.float8(*v)
}

func (b *binaryCopy) int8OrNull(v int64) {
	if v == 0 {
		b.null()
		return
	}
	b.int8(v)
}
