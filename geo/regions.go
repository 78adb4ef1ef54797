package geo

// RegionStat is one region of a four-colour regional map: its colour and
// the counts beneath it.
type RegionStat struct {
	Level string `json:"level"` // county, grid1k, grid5k …
	Code  string `json:"code"`  // adcode, or "x:y" of a Web-Mercator grid cell
	Name  string `json:"name,omitempty"`
	// Grade is the region's colour: the highest grade inside (就高); Unassessed
	// when nothing inside is assessed, never blue.
	Grade Grade `json:"grade"`
	// Counts per grade ("red" … "unassessed"), overall and per category.
	Counts     map[string]int              `json:"counts"`
	ByCategory map[Category]map[string]int `json:"by_category"`
	Total      int                         `json:"total"`
}

// Add counts n objects of category c and grade g into the region.
func (r *RegionStat) Add(c Category, g Grade, n int) {
	if r.Counts == nil {
		r.Counts, r.ByCategory = map[string]int{}, map[Category]map[string]int{}
	}
	if r.ByCategory[c] == nil {
		r.ByCategory[c] = map[string]int{}
	}
	r.Counts[g.String()] += n
	r.ByCategory[c][g.String()] += n
	r.Total += n
	if g > r.Grade {
		r.Grade = g
	}
}
