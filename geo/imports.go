package geo

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
}
