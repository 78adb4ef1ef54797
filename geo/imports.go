package geo

import (
	"encoding/json"
	"time"
)

// Row is a risk object read by an import, with where it came from.
type Row struct {
	File   int // index of the file in the import
	Line   int // row or feature number in that file
	Object Object
}

// Duplicate is a source id that several rows of one import claim.
type Duplicate struct {
	Category Category
	SourceID string
	Files    []int
	Lines    []int // Lines[i] is in file Files[i]
}

// MergeStats counts what an import changed.
type MergeStats struct {
	Inserted int64 `json:"inserted"`
	Updated  int64 `json:"updated"`
	Retired  int64 `json:"retired"`
	// What a preview also tells (zero after a merge): the source's
	// active objects before the import, and the staged rows whose id an
	// active object of another source of the category has already, the
	// most of them in ElsewhereSource.
	InSource        int64  `json:"in_source,omitempty"`
	Elsewhere       int64  `json:"elsewhere,omitempty"`
	ElsewhereSource string `json:"elsewhere_source,omitempty"`
}

// ImportRun is one committed import, as the history keeps it.
type ImportRun struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Category string          `json:"category"`
	Source   string          `json:"source"`
	Files    json.RawMessage `json:"files"`  // name, sha256, bytes, format, encoding, crs …
	Counts   json.RawMessage `json:"counts"` // rows, valid, invalid, inserted, updated, unchanged, retired
	// Division is the division of whoever imported ("" for the whole
	// deployment or the command line).
	Division      string          `json:"division"`
	ProblemsTotal int             `json:"problems_total"`
	Options       json.RawMessage `json:"options,omitempty"`  // one import's: crs, encoding, sheet, mapping …
	Problems      json.RawMessage `json:"problems,omitempty"` // one import's, as its report kept them
}

// ImportQuery selects imports of the history.
type ImportQuery struct {
	Category, Source string
	Before           int64 // ids below this one; 0 from the newest
	Limit            int
}

// CheckImportQuery bounds q's limit (default 50, at most 200).
func CheckImportQuery(q *ImportQuery) error {
	switch {
	case q.Limit == 0:
		q.Limit = 50
	case q.Limit < 0 || q.Limit > 200:
		return Invalidf("limit", "want 1 to 200, not %d", q.Limit)
	}
	if q.Before < 0 {
		return Invalidf("before", "want an import id, not %d", q.Before)
	}
	return nil
}

// ImportSource is a source the map holds objects of.
type ImportSource struct {
	Category  string    `json:"category"`
	Source    string    `json:"source"`
	Objects   int64     `json:"objects"` // active
	UpdatedAt time.Time `json:"updated_at"`
	Template  bool      `json:"template"` // a mapping template is kept for it
}

// ImportTemplate is a source's column mapping (importers.Mapping as
// JSON), offered for the source's next file.
type ImportTemplate struct {
	Category  string          `json:"category"`
	Source    string          `json:"source"`
	Mapping   json.RawMessage `json:"mapping"`
	Division  string          `json:"division"` // of whoever saved it
	UpdatedBy string          `json:"updated_by"`
	UpdatedAt time.Time       `json:"updated_at"`
}
