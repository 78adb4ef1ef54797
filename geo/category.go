package geo

import "fmt"

// Category is the kind of a risk object; each category is a map layer.
type Category string

// The risk-object categories. The string values are the layer names used in
// URLs, in the database and in vector tiles.
const (
	Enterprises     Category = "enterprises"      // 生产经营单位
	Bridges         Category = "bridges"          // 公路桥梁
	BlackSpots      Category = "black_spots"      // 道路交通事故多发点段
	RescueResources Category = "rescue_resources" // 救援力量与应急资源
	Shelters        Category = "shelters"         // 避灾安置场所
)

// AllCategories lists every category in display order.
var AllCategories = []Category{Enterprises, Bridges, BlackSpots, RescueResources, Shelters}

// ParseCategory returns the category named s, or an error wrapping
// ErrInvalid when s names none.
func ParseCategory(s string) (Category, error) {
	for _, c := range AllCategories {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: unknown category %q (want one of enterprises, bridges, black_spots, rescue_resources, shelters)", ErrInvalid, s)
}

// Valid reports whether c is one of AllCategories.
func (c Category) Valid() bool {
	_, err := ParseCategory(string(c))
	return err == nil
}

// NameZH is the category's Chinese display name.
func (c Category) NameZH() string {
	switch c {
	case Enterprises:
		return "企业"
	case Bridges:
		return "桥梁"
	case BlackSpots:
		return "事故多发点段"
	case RescueResources:
		return "救援力量"
	case Shelters:
		return "避灾安置场所"
	}
	return string(c)
}
