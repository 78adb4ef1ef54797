package geo

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ParseBBox reads "minLon,minLat,maxLon,maxLat" in degrees (OGC API
// Features' bbox). Errors are *ParamError values naming param.
func ParseBBox(param, s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, Invalidf(param, "want four comma-separated numbers minLon,minLat,maxLon,maxLat, got %d", len(parts))
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return orb.Bound{}, Invalidf(param, "%q is not a number", p)
		}
		v[i] = f
	}
	switch {
	case v[0] < -180 || v[2] > 180 || v[0] > 180 || v[2] < -180:
		return orb.Bound{}, Invalidf(param, "longitudes must lie in [-180, 180]")
	case v[1] < -90 || v[3] > 90 || v[1] > 90 || v[3] < -90:
		return orb.Bound{}, Invalidf(param, "latitudes must lie in [-90, 90]")
	case v[0] > v[2]:
		return orb.Bound{}, Invalidf(param, "minLon %g is greater than maxLon %g", v[0], v[2])
	case v[1] > v[3]:
		return orb.Bound{}, Invalidf(param, "minLat %g is greater than maxLat %g", v[1], v[3])
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// Page asks for a page of features: optionally only those whose bounding
// box meets BBox and that Filter picks, at most Limit of them, after
// skipping Offset.
type Page struct {
	BBox   *orb.Bound
	Filter Filter // risk objects only
	Limit  int
	Offset int
}
