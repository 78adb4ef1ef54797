package crs

import (
	"math"

	"github.com/paulmach/orb"
)

// Constants of the GCJ-02 and BD-09 formulas.
const (
	// krasovskyA is the semi-major axis of the Krasovsky 1940 ellipsoid, in
	// metres, as used by the GCJ-02 formula.
	krasovskyA = 6378245.0
	// krasovskyEE is that ellipsoid's first eccentricity squared.
	krasovskyEE = 0.00669342162296594323
	// bdXPi is Baidu's x_pi = π·3000/180.
	bdXPi = math.Pi * 3000.0 / 180.0
	// bdOffsetLon and bdOffsetLat are Baidu's constant offsets, in degrees.
	bdOffsetLon = 0.0065
	bdOffsetLat = 0.006

	// inverseTol is the step, in degrees, below which the iterative
	// inverses stop (1e-9° is about 0.1 mm).
	inverseTol = 1e-9
	// maxIter bounds the iterations of the inverses; they normally need
	// three or four.
	maxIter = 20
)

// inChina is the usual rough rectangle around China outside which GCJ-02
// is the identity. It also contains Hong Kong, Macau, Taiwan and parts of
// neighbouring countries. NaN is outside.
func inChina(lon, lat float64) bool {
	return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271
}

// gcjDelta returns the GCJ-02 shift, in degrees, to add to the WGS84 point
// (lon, lat), ignoring the China rectangle.
func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	x := lon - 105.0
	y := lat - 35.0
	px := x * math.Pi
	py := y * math.Pi
	rootX := math.Sqrt(math.Abs(x))
	// The first periodic term is the same in both components.
	shared := (20*math.Sin(6*px) + 20*math.Sin(2*px)) * 2 / 3

	dLat = -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*rootX + shared +
		(20*math.Sin(py)+40*math.Sin(py/3))*2/3 +
		(160*math.Sin(py/12)+320*math.Sin(py/30))*2/3
	dLon = 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*rootX + shared +
		(20*math.Sin(px)+40*math.Sin(px/3))*2/3 +
		(150*math.Sin(px/12)+300*math.Sin(px/30))*2/3

	// Scale from the formula's metre-like units to degrees on the ellipsoid:
	// divide by the meridian radius of curvature for latitude and by the
	// parallel's radius for longitude.
	sinLat, cosLat := math.Sincos(lat * math.Pi / 180)
	m := 1 - krasovskyEE*sinLat*sinLat
	sqrtM := math.Sqrt(m)
	dLat = dLat * 180 / (krasovskyA * (1 - krasovskyEE) / (m * sqrtM) * math.Pi)
	dLon = dLon * 180 / (krasovskyA / sqrtM * cosLat * math.Pi)
	return dLon, dLat
}

// WGS84ToGCJ02 converts a WGS84 longitude/latitude to GCJ-02 with the
// published forward formula, which is GCJ-02's de facto definition. Points
// outside the rough China rectangle (72.004–137.8347°E, 0.8293–55.8271°N)
// are returned unchanged; Hong Kong, Macau and Taiwan lie inside it and are
// shifted like the mainland.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if !inChina(p[0], p[1]) {
		return p
	}
	dLon, dLat := gcjDelta(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// GCJ02ToWGS84 converts a GCJ-02 longitude/latitude to WGS84. It inverts
// WGS84ToGCJ02 by fixed-point iteration, starting from the usual one-step
// approximation, until a step is below 1e-9°; the result maps back to p
// within about 1e-9° (0.1 mm). Points outside the China rectangle are
// returned unchanged; within about 0.01° inside its edge, where GCJ-02
// jumps, the result may fall just outside the rectangle. It does not
// allocate.
func GCJ02ToWGS84(p orb.Point) orb.Point {
	gLon, gLat := p[0], p[1]
	if !inChina(gLon, gLat) {
		return p
	}
	dLon, dLat := gcjDelta(gLon, gLat)
	wLon, wLat := gLon-dLon, gLat-dLat
	for range maxIter {
		// The rectangle test is left out here, so that the function being
		// inverted is smooth even for points on the rectangle's edge.
		dLon, dLat = gcjDelta(wLon, wLat)
		eLon := wLon + dLon - gLon
		eLat := wLat + dLat - gLat
		wLon -= eLon
		wLat -= eLat
		if !(math.Abs(eLon) >= inverseTol || math.Abs(eLat) >= inverseTol) {
			break // converged (or NaN)
		}
	}
	return orb.Point{wLon, wLat}
}

// GCJ02ToBD09 converts a GCJ-02 longitude/latitude to Baidu's BD-09 with
// Baidu's published formula. It applies everywhere, also outside China.
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	sinT, cosT := math.Sincos(theta)
	return orb.Point{z*cosT + bdOffsetLon, z*sinT + bdOffsetLat}
}

// BD09ToGCJ02 converts a BD-09 longitude/latitude to GCJ-02. It starts from
// Baidu's published approximate inverse (off by about 0.1 m) and refines it
// by iterating GCJ02ToBD09 until a step is below 1e-9°. It applies
// everywhere, also outside China.
func BD09ToGCJ02(p orb.Point) orb.Point {
	x, y := p[0]-bdOffsetLon, p[1]-bdOffsetLat
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	sinT, cosT := math.Sincos(theta)
	gLon, gLat := z*cosT, z*sinT
	for range maxIter {
		b := GCJ02ToBD09(orb.Point{gLon, gLat})
		eLon := b[0] - p[0]
		eLat := b[1] - p[1]
		gLon -= eLon
		gLat -= eLat
		if !(math.Abs(eLon) >= inverseTol || math.Abs(eLat) >= inverseTol) {
			break // converged (or NaN)
		}
	}
	return orb.Point{gLon, gLat}
}

// WGS84ToBD09 converts a WGS84 longitude/latitude to BD-09: WGS84ToGCJ02
// followed by GCJ02ToBD09. Outside the China rectangle only Baidu's own
// shift applies.
func WGS84ToBD09(p orb.Point) orb.Point {
	return GCJ02ToBD09(WGS84ToGCJ02(p))
}

// BD09ToWGS84 converts a BD-09 longitude/latitude to WGS84: BD09ToGCJ02
// followed by GCJ02ToWGS84, both iterated to 1e-9°.
func BD09ToWGS84(p orb.Point) orb.Point {
	return GCJ02ToWGS84(BD09ToGCJ02(p))
}
