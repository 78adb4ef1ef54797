package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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
			{Href: base + "/ogc/api", Rel: "service-desc", Type: openAPIType},
			{Href: base + "/ogc/conformance", Rel: "conformance", Type: "application/json"},
			{Href: base + "/ogc/collections", Rel: "data", Type: "application/json"},
		},
	})
}

// conformance lists the conformance classes the /ogc API implements: OGC
// API Features Part 1 (core, GeoJSON, OpenAPI 3.0) and Part 3 (filtering), with CQL2
// text: Basic CQL2, the advanced comparison operators (LIKE, BETWEEN, IN)
// and the basic spatial function S_INTERSECTS (geo/cql).
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
}

func (s *Server) handleConformance(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"conformsTo": conformance})
}

// featureLayers are the layers offered as collections.
func (s *Server) featureLayers() []geo.Layer {
	out := []geo.Layer{geo.Counties}
	for _, c := range geo.AllCategories {
		out = append(out, geo.Layer(c))
	}
	if s.zones != nil {
		out = append(out, geo.Zones)
	}
	return out
}

const (
	crs84         = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	relQueryables = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	schemaType    = "application/schema+json"
)

func (s *Server) collection(c echo.Context, l geo.Layer) (map[string]any, error) {
	base := s.baseURL(c) + "/ogc/collections/" + string(l)
	title := "县级行政区 Counties"
	if l == geo.Zones {
		title = "灾害风险区划 Hazard zones"
	}
	if cat, ok := l.Category(); ok {
		title = cat.NameZH() + " " + string(cat)
	}
	col := map[string]any{
		"id":    string(l),
		"title": title,
		"links": []link{
			{Href: base, Rel: "self", Type: "application/json"},
			{Href: base + "/items", Rel: "items", Type: geoJSONType},
			{Href: base + "/queryables", Rel: relQueryables, Type: schemaType},
		},
		"itemType": "feature",
		"crs":      []string{crs84},
	}
	b, ok, err := s.features.CollectionExtent(c.Request().Context(), l)
	if err != nil {
		return nil, err
	}
	if ok {
		col["extent"] = map[string]any{"spatial": map[string]any{
			"bbox": [][]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}},
			"crs":  crs84,
		}}
	}
	return col, nil
}

func (s *Server) handleCollections(c echo.Context) error {
	cols := []map[string]any{}
	for _, l := range s.readable(c, s.featureLayers()) {
		col, err := s.collection(c, l)
		if err != nil {
			return err
		}
		cols = append(cols, col)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"links":       []link{{Href: s.baseURL(c) + "/ogc/collections", Rel: "self", Type: "application/json"}},
		"collections": cols,
	})
}

func (s *Server) parseFeatureLayer(name string) (geo.Layer, error) {
	for _, l := range s.featureLayers() {
		if string(l) == name {
			return l, nil
		}
	}
	names := make([]string, 0, 8)
	for _, l := range s.featureLayers() {
		names = append(names, string(l))
	}
	return "", geo.Invalidf("layer", "unknown collection %q (want one of %s)", name, strings.Join(names, ", "))
}

func (s *Server) handleCollection(c echo.Context) error {
	l, err := s.parseFeatureLayer(c.Param("layer"))
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, l); err != nil {
		return err
	}
	col, err := s.collection(c, l)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, col)
}

func categoryNames() []string {
	out := make([]string, len(geo.AllCategories))
	for i, c := range geo.AllCategories {
		out[i] = string(c)
	}
	return out
}

func gradeNames() []string {
	out := make([]string, len(geo.AllGrades))
	for i, g := range geo.AllGrades {
		out[i] = g.String()
	}
	return out
}

// queryable describes a property of the catalogue in JSON Schema.
func queryable(p geo.Property, description string) map[string]any {
	q := map[string]any{"title": p.ZH + " " + p.EN}
	switch {
	case p.Type == geo.TypeGeometry:
		q["format"], q["x-ogc-role"] = "geometry-point", "primary-geometry"
	case p.Key == "id":
		q["type"], q["x-ogc-role"] = "integer", "id"
	case p.Type == geo.TypeInteger && p.SQL != "":
		q["type"] = "integer"
	case p.Type.Numeric():
		q["type"] = "number"
	case p.Type == geo.TypeTime:
		q["type"], q["format"] = "string", "date-time"
	default:
		q["type"] = "string"
	}
	switch p.Key {
	case "category":
		q["enum"] = categoryNames()
	case "grade":
		q["enum"], description = gradeNames(), "compared in risk order: unassessed < blue < yellow < orange < red"
	case "county":
		q["pattern"] = "^[0-9]{6}$"
	}
	if p.Unit != "" {
		q["x-unit"] = p.Unit
	}
	if description != "" {
		q["description"] = description
	}
	return q
}

// handleQueryables answers the collection's queryables (OGC API Features
// Part 3) as a JSON Schema: the properties a filter may name. Risk
// objects take any attribute name besides those listed (a missing one
// matches nothing); counties take no filter.
func (s *Server) handleQueryables(c echo.Context) error {
	l, err := s.parseFeatureLayer(c.Param("layer"))
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, l); err != nil {
		return err
	}
	props := map[string]any{}
	more := false
	if l == geo.Zones {
		props["hazard_type"] = map[string]any{"title": "灾害类型 Hazard type", "type": "string", "enum": geo.HazardTypes}
		props["grade"] = map[string]any{"title": "风险等级 Grade", "type": "string", "enum": []string{"red", "orange", "yellow", "blue"}}
	}
	if cat, ok := l.Category(); ok {
		more = true
		for _, p := range geo.ObjectColumns {
			if p.Filter {
				props[p.Key] = queryable(p, "")
			}
		}
		for _, p := range geo.AttributesOf(cat) {
			props[p.Key] = queryable(p, "an attribute")
		}
	}
	c.Response().Header().Set(echo.HeaderContentType, schemaType)
	c.Response().WriteHeader(http.StatusOK)
	return jsonEncode(c.Response(), map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  s.baseURL(c) + "/ogc/collections/" + string(l) + "/queryables",
		"type":                 "object",
		"title":                string(l),
		"properties":           props,
		"additionalProperties": more,
	})
}

// The properties of each collection's features, for properties=.
var (
	objectProperties = []string{"name", "category", "grade", "grade_name", "county", "county_name", "score", "method",
		"assessed_at", "source", "source_id", "attributes", "created_at", "updated_at", "retired_at", "assessment"}
	countyProperties = []string{"adcode", "name", "level", "parent_code", "population", "grade", "grade_name",
		"n_red", "n_orange", "n_yellow", "n_blue", "n_unassessed", "label_point"}
)

// parseProperties reads properties=a,b: the feature properties to send.
// It returns nil for all of them.
func parseProperties(q url.Values, known []string) (map[string]bool, error) {
	vs, ok := q["properties"]
	if !ok {
		return nil, nil
	}
	keep := map[string]bool{}
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if !slices.Contains(known, p) {
				return nil, geo.Invalidf("properties", "unknown property %q (want some of %s)", p, strings.Join(known, ", "))
			}
			keep[p] = true
		}
	}
	return keep, nil
}

func selectProperties(f *geojson.Feature, keep map[string]bool) {
	if keep == nil {
		return
	}
	for k := range f.Properties {
		if !keep[k] {
			delete(f.Properties, k)
		}
	}
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
	l, err := s.parseFeatureLayer(c.Param("layer"))
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
	if p.Filter, err = geo.ParseFilter(q); err != nil {
		return err
	}
	p.Filter.Within = s.viewScope(c)
	if l == geo.Zones {
		for _, name := range geo.FilterParams {
			if name != "grade" && q.Has(name) {
				return geo.Invalidf(name, "the zones collection takes bbox, limit, offset, hazard_type and grade")
			}
		}
		return s.handleZones(c) // the same parameters
	}
	cat, isObjects := l.Category()
	known := objectProperties
	if !isObjects {
		known = countyProperties
		if !p.Filter.IsZero() {
			for _, name := range geo.FilterParams {
				if q.Has(name) {
					return geo.Invalidf(name, "the counties collection takes no filter (only bbox, limit, offset and properties)")
				}
			}
		}
	}
	keep, err := parseProperties(q, known)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fc := geojson.NewFeatureCollection()
	var total int
	if isObjects {
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
	for _, f := range fc.Features {
		selectProperties(f, keep)
	}
	self := s.baseURL(c) + c.Request().URL.Path
	// page links to the items from offset on, keeping every other
	// parameter as the client sent it.
	page := func(rel string, offset int) link {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(offset))
		v.Set("limit", strconv.Itoa(p.Limit))
		return link{Href: self + "?" + v.Encode(), Rel: rel, Type: geoJSONType}
	}
	links := []link{{Href: self + "?" + q.Encode(), Rel: "self", Type: geoJSONType}}
	if p.Offset+len(fc.Features) < total {
		links = append(links, page("next", p.Offset+len(fc.Features)))
	}
	if p.Offset > 0 {
		links = append(links, page("prev", max(0, p.Offset-p.Limit)))
	}
	fc.ExtraMembers = geojson.Properties{
		"numberMatched":  total,
		"numberReturned": len(fc.Features),
		"timeStamp":      time.Now().UTC().Format(time.RFC3339),
		"links":          links,
	}
	return writeGeoJSON(c, fc)
}

func (s *Server) handleItem(c echo.Context) error {
	l, err := s.parseFeatureLayer(c.Param("layer"))
	if err != nil {
		return err
	}
	if err := s.layerAllowed(c, l); err != nil {
		return err
	}
	ctx := c.Request().Context()
	idText := c.Param("id")
	if l == geo.Zones {
		return s.handleZone(c)
	}
	if cat, ok := l.Category(); ok {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || id < 1 {
			return geo.Invalidf("id", "%q is not a feature id (a positive integer)", idText)
		}
		o, err := s.features.Object(ctx, cat, id)
		if err != nil {
			return err
		}
		if !geo.Within(s.viewScope(c), o.Division) {
			return fmt.Errorf("object %d lies outside the reader's division: %w", id, geo.ErrNotFound)
		}
		keep, err := parseProperties(c.QueryParams(), objectProperties)
		if err != nil {
			return err
		}
		f := objectFeature(o)
		selectProperties(f, keep)
		c.Response().Header().Set("ETag", `"`+o.Version()+`"`) // for If-Match on writes
		return writeGeoJSON(c, f)
	}
	if len(idText) != 6 {
		return geo.Invalidf("id", "%q is not a county code (six digits)", idText)
	}
	if _, err := strconv.ParseUint(idText, 10, 32); err != nil {
		return geo.Invalidf("id", "%q is not a county code (six digits)", idText)
	}
	keep, err := parseProperties(c.QueryParams(), countyProperties)
	if err != nil {
		return err
	}
	d, err := s.features.County(ctx, idText)
	if err != nil {
		return err
	}
	f := countyFeature(d)
	selectProperties(f, keep)
	return writeGeoJSON(c, f)
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
