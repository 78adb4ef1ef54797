package geo

import "slices"

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
	// AreaKM2 and Population describe the region, for normalising;
	// Index is the weighted index when that rule coloured it.
	AreaKM2    float64  `json:"area_km2,omitempty"`
	Population int64    `json:"population,omitempty"`
	Index      *float64 `json:"index,omitempty"`
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

// IndexWeights are the weights of the weighted-index rule (domain §1.4):
// a geometric ratio of 3 between grades.
var IndexWeights = map[Grade]float64{Blue: 1, Yellow: 3, Orange: 9, Red: 27}

// ColourByIndex recolours regions by the weighted-index rule instead of
// the highest grade: I = Σ w(grade) / N over the assessed objects inside,
// N a normaliser per region (area in km², population in 10,000s; nil or
// 0 means 1). Colours come from quartiles of I across the regions given
// (siblings: the counties of a city, the cells of a view): the top quarter
// red, then orange, yellow, blue. A region with anything red inside is at
// least orange, so one red site is never diluted away; a region with
// nothing assessed stays unassessed.
func ColourByIndex(regions []RegionStat, norm func(RegionStat) float64) {
	var values []float64
	for i := range regions {
		r := &regions[i]
		sum, assessed := 0.0, false
		for g, w := range IndexWeights {
			n := r.Counts[g.String()]
			sum += w * float64(n)
			assessed = assessed || n > 0
		}
		if !assessed {
			r.Index = nil
			continue
		}
		d := 1.0
		if norm != nil {
			if v := norm(*r); v > 0 {
				d = v
			}
		}
		x := sum / d
		r.Index = &x
		values = append(values, x)
	}
	slices.Sort(values)
	q := func(p float64) float64 {
		if len(values) == 0 {
			return 0
		}
		return values[int(p*float64(len(values)-1)+0.5)]
	}
	q1, q2, q3 := q(0.25), q(0.5), q(0.75)
	for i := range regions {
		r := &regions[i]
		if r.Index == nil {
			r.Grade = Unassessed
			continue
		}
		switch x := *r.Index; {
		case x > q3:
			r.Grade = Red
		case x > q2:
			r.Grade = Orange
		case x > q1:
			r.Grade = Yellow
		default:
			r.Grade = Blue
		}
		if r.Counts[Red.String()] > 0 && r.Grade < Orange {
			r.Grade = Orange
		}
	}
}
