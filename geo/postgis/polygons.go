package postgis

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"riskmap/geo"
)

// polygonHex is g as hex EWKB in SRID 4490.
func polygonHex(g orb.Geometry) (string, error) {
	h, err := ewkb.MarshalToHex(g, 4490)
	if err != nil {
		return "", fmt.Errorf("encode the polygon: %w", err)
	}
	return h, nil
}

// invalidity is what PostGIS finds wrong with polygon geometry hex (part
// 0, ring -1: GEOS does not say which), or nil when it is valid.
func (s *Store) invalidity(ctx context.Context, q querier, hex string) (*geo.GeometryProblem, error) {
	var valid bool
	var reason string
	var x, y *float64
	if err := q.QueryRow(ctx, s.q.get("polygon_validity"), hex).Scan(&valid, &reason, &x, &y); err != nil {
		return nil, fmt.Errorf("check the polygon: %w", classify(err))
	}
	if valid {
		return nil, nil
	}
	p := geo.GeometryProblem{Code: geo.ProblemSelfIntersection, Message: strings.ToLower(reason), MessageZH: reasonZH(reason), Ring: -1, Repairable: true}
	if x != nil && y != nil {
		p.Location = &[2]float64{*x, *y}
	}
	return &p, nil
}

// reasonZH puts GEOS's validity reasons into Chinese.
func reasonZH(reason string) string {
	switch {
	case strings.HasPrefix(reason, "Ring Self-intersection"):
		return "环自相交"
	case strings.HasPrefix(reason, "Self-intersection"):
		return "边界自相交"
	case strings.HasPrefix(reason, "Hole lies outside shell"):
		return "内环（洞）在外环之外"
	case strings.HasPrefix(reason, "Nested holes"):
		return "内环相互嵌套"
	case strings.HasPrefix(reason, "Interior is disconnected"):
		return "内部被分割为不相连的部分"
	case strings.HasPrefix(reason, "Nested shells"):
		return "多边形相互嵌套"
	case strings.HasPrefix(reason, "Duplicate Rings"):
		return "重复的环"
	case strings.HasPrefix(reason, "Too few points"):
		return "点数过少"
	}
	return "几何无效"
}
