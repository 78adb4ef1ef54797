package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"riskmap/geo"
)

// Paging limits of the items endpoint.
const (
	defaultLimit = 100
	maxLimit     = 10000
)

const geoJSONType = "application/geo+json"

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

func (s *Server) handleLanding(c echo.Context) error {
	base := s.baseURL(c)
	return c.JSON(http.StatusOK, map[string]any{
		"title":       s.opts.Title,
		"description": "riskmap OGC API - Features: risk objects and counties as GeoJSON",
		"links": []link{
			{Href: base + "/ogc", Rel: "self", Type: "application/json"},
			{Href: base + "/ogc/conformance", Rel: "conformance", Type: "application/json"},
			{Href: base + "/ogc/collections", Rel: "data", Type: "application/json"},
		},
	})
}

func (s *Server) handleConformance(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"conformsTo": []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	}})
}

// featureLayers are the layers offered as collections.
func featureLayers() []geo.Layer {
	out := []geo.Layer{geo.Counties}
	for _, c := range geo.AllCategories {
		out = append(out, geo.Layer(c))
	}
	return out
}

func (s *Server) collection(c echo.Context, l geo.Layer) map[string]any {
	base := s.baseURL(c) + "/ogc/collections/" + string(l)
	title := "县级行政区 Counties"
	if cat, ok := l.Category(); ok {
		title = cat.NameZH() + " " + string(cat)
	}
	return map[string]any{
		"id":    string(l),
		"title": title,
		"links": []link{
			{Href: base, Rel: "self", Type: "application/json"},
			{Href: base + "/items", Rel: "items", Type: geoJSONType},
		},
		"itemType": "feature",
		"crs":      []string{"http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
	}
}

func (s *Server) handleCollections(c echo.Context) error {
	var cols []map[string]any
	for _, l := range s.readable(c, featureLayers()) {
		cols = append(cols, s.collection(c, l))
	}
	return c.JSON(http.StatusOK, map[string]any{
		"links":       []link{{Href: s.baseURL(c) + "/ogc/collections", Rel: "self", Type: "application/json"}},
		"collections": cols,
	})
}

func parseFeatureLayer(s string) (geo.Layer, error) {
	for _, l := range featureLayers() {
		if string(l) == s {
			return l, nil
		}
	}
	names := make([]string, 0, 6)
	for _, l := range featureLayers() {
		names = append(names, string(l))
	}
	return "", geo.Invalidf("layer", "unknown collection %q (want one of %s)", s, strings.Join(names, ", "))
}

func (s *Server) handleCollection(c echo.Context) error {
	l, err := parseFeatureLayer(c.Param("layer"))
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, l); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.collection(c, l))
}

// parsePage reads bbox, limit and offset.
func parsePage(q url.Values) (geo.Page, error) {
	p := geo.Page{Limit: defaultLimit}
	if v := q.Get("bbox"); v != "" {
		b, err := geo.ParseBBox("bbox", v)
		if err != nil {
			return p, err
		}
		p.BBox = &b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, geo.Invalidf("limit", "%q must be an integer from 1 to %d", v, maxLimit)
		}
		p.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, geo.Invalidf("offset", "%q must be a non-negative integer", v)
		}
		p.Offset = n
	}
	return p, nil
}

func (s *Server) handleItems(c echo.Context) error {
	l, err := parseFeatureLayer(c.Param("layer"))
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, l); err != nil {
		return err
	}
	q := c.QueryParams()
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fc := geojson.NewFeatureCollection()
	var total int
	if cat, ok := l.Category(); ok {
		objs, n, err := s.features.Objects(ctx, cat, p)
		if err != nil {
			return err
		}
		for _, o := range objs {
			fc.Append(objectFeature(o))
		}
		total = n
	} else {
		ds, n, err := s.features.Counties(ctx, p)
		if err != nil {
			return err
		}
		for _, d := range ds {
			fc.Append(countyFeature(d))
		}
		total = n
	}
	self := s.baseURL(c) + c.Request().URL.Path
	links := []link{{Href: self + "?" + q.Encode(), Rel: "self", Type: geoJSONType}}
	if p.Offset+len(fc.Features) < total {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("offset", strconv.Itoa(p.Offset+len(fc.Features)))
		next.Set("limit", strconv.Itoa(p.Limit))
		links = append(links, link{Href: self + "?" + next.Encode(), Rel: "next", Type: geoJSONType})
	}
	fc.ExtraMembers = geojson.Properties{
		"numberMatched":  total,
		"numberReturned": len(fc.Features),
		"links":          links,
	}
	return writeGeoJSON(c, fc)
}

func (s *Server) handleItem(c echo.Context) error {
	l, err := parseFeatureLayer(c.Param("layer"))
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, l); err != nil {
		return err
	}
	ctx := c.Request().Context()
	idText := c.Param("id")
	if cat, ok := l.Category(); ok {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id < 1 {
			return geo.Invalidf("id", "%q is not a feature id (a positive integer)", idText)
		}
		o, err := s.features.Object(ctx, cat, id)
		if err != nil {
			return err
		}
		c.Response().Header().Set("ETag", `"`+o.Version()+`"`) // for If-Match on writes
		return writeGeoJSON(c, objectFeature(o))
	}
	if len(idText) != 6 {
		return geo.Invalidf("id", "%q is not a county code (six digits)", idText)
	}
	if _, err := strconv.ParseUint(idText, 10, 32); err != nil {
		return geo.Invalidf("id", "%q is not a county code (six digits)", idText)
	}
	d, err := s.features.County(ctx, idText)
	if err != nil {
		return err
	}
	return writeGeoJSON(c, countyFeature(d))
}

func writeGeoJSON(c echo.Context, v any) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	c.Response().Header().Set(echo.HeaderContentType, geoJSONType)
	c.Response().WriteHeader(http.StatusOK)
	return jsonEncode(c.Response(), v)
}

func objectFeature(o geo.Object) *geojson.Feature {
	f := geojson.NewFeature(o.Point)
	f.ID = o.ID
	attrs := o.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	f.Properties = geojson.Properties{
		"name":        o.Name,
		"category":    string(o.Category),
		"grade":       o.Grade.String(),
		"grade_name":  o.Grade.NameZH(),
		"county":      o.County,
		"county_name": o.CountyName,
		"score":       o.Score,
		"method":      nullable(o.Method),
		"assessed_at": o.AssessedAt,
		"source":      o.Source,
		"source_id":   o.SourceID,
		"attributes":  attrs,
		"created_at":  o.CreatedAt,
		"updated_at":  o.UpdatedAt,
		"retired_at":  o.RetiredAt,
	}
	if len(o.Assessment) > 0 {
		// Why the object has its grade: scheme, inputs, the rules that
		// applied (geo/grading's Result).
		f.Properties["assessment"] = o.Assessment
	}
	return f
}

func countyFeature(d geo.Division) *geojson.Feature {
	f := geojson.NewFeature(d.Geometry)
	f.ID = d.Code
	f.Properties = geojson.Properties{
		"adcode":       d.Code,
		"name":         d.Name,
		"level":        d.Level,
		"parent_code":  nullable(d.ParentCode),
		"population":   d.Population,
		"grade":        d.Risk.Max.String(),
		"grade_name":   d.Risk.Max.NameZH(),
		"n_red":        d.Risk.Counts[geo.Red],
		"n_orange":     d.Risk.Counts[geo.Orange],
		"n_yellow":     d.Risk.Counts[geo.Yellow],
		"n_blue":       d.Risk.Counts[geo.Blue],
		"n_unassessed": d.Risk.Counts[geo.Unassessed],
	}
	if d.Label != (orb.Point{}) {
		f.Properties["label_point"] = []float64{d.Label[0], d.Label[1]}
	} else {
		f.Properties["label_point"] = nil
	}
	return f
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
