package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

const openAPIType = "application/vnd.oai.openapi+json;version=3.0"

// queryParam describes one query parameter of the items endpoint for the
// OpenAPI document.
func queryParam(name, desc string, schema map[string]any) map[string]any {
	return map[string]any{"name": name, "in": "query", "required": false, "description": desc, "schema": schema, "style": "form", "explode": false}
}

func ok(desc, typ string) map[string]any {
	return map[string]any{"200": map[string]any{"description": desc, "content": map[string]any{typ: map[string]any{}}}}
}

// handleOpenAPI answers the OpenAPI 3.0 description of /ogc (OGC API
// Features' oas30 class). Clients such as GDAL read the items
// parameters from it: grade, county and category (and status) are
// filters a client may send as plain query parameters.
func (s *Server) handleOpenAPI(c echo.Context) error {
	str := map[string]any{"type": "string"}
	list := map[string]any{"type": "array", "items": str}
	collection := map[string]any{"name": "collectionId", "in": "path", "required": true, "schema": map[string]any{"type": "string", "enum": func() []string {
		var out []string
		for _, l := range s.featureLayers() {
			out = append(out, string(l))
		}
		return out
	}()}}
	itemParams := []any{
		collection,
		queryParam("bbox", "minLon,minLat,maxLon,maxLat in CRS84 degrees", map[string]any{"type": "array", "items": map[string]any{"type": "number"}, "minItems": 4, "maxItems": 4}),
		queryParam("limit", "features per page", map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit}),
		queryParam("offset", "features to skip", map[string]any{"type": "integer", "minimum": 0, "default": 0}),
		queryParam("properties", "only these feature properties", list),
		queryParam("filter", "a CQL2 text expression over the collection's queryables", str),
		queryParam("filter-lang", "the filter's language", map[string]any{"type": "string", "enum": []string{"cql2-text"}, "default": "cql2-text"}),
		queryParam("filter-crs", "the CRS of the filter's coordinates", map[string]any{"type": "string", "enum": []string{crs84}, "default": crs84}),
		queryParam("grade", "risk objects of these grades", map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": gradeNames()}}),
		queryParam("county", "risk objects in these counties (six-digit codes)", list),
		queryParam("category", "risk objects of these categories", map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": categoryNames()}}),
		queryParam("status", "risk objects whose status attribute is one of these", list),
		queryParam("min_capacity", "shelters for at least this many persons", map[string]any{"type": "integer", "minimum": 0}),
	}
	get := func(summary string, params []any, responses map[string]any) map[string]any {
		op := map[string]any{"summary": summary, "responses": responses}
		if len(params) > 0 {
			op["parameters"] = params
		}
		return map[string]any{"get": op}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": s.opts.Title, "version": s.opts.Version, "description": "riskmap OGC API - Features"},
		"servers": []any{map[string]any{"url": s.baseURL(c) + "/ogc"}},
		"paths": map[string]any{
			"/":                                      get("landing page", nil, ok("links to the API", "application/json")),
			"/api":                                   get("this document", nil, ok("the API description", openAPIType)),
			"/conformance":                           get("conformance classes", nil, ok("the conformance classes", "application/json")),
			"/collections":                           get("collections", nil, ok("the collections", "application/json")),
			"/collections/{collectionId}":            get("a collection", []any{collection}, ok("the collection", "application/json")),
			"/collections/{collectionId}/queryables": get("the queryables", []any{collection}, ok("a JSON Schema", schemaType)),
			"/collections/{collectionId}/items":      get("features", itemParams, ok("a page of features", geoJSONType)),
			"/collections/{collectionId}/items/{featureId}": get("a feature", []any{collection,
				map[string]any{"name": "featureId", "in": "path", "required": true, "schema": str},
				queryParam("properties", "only these feature properties", list)}, ok("the feature", geoJSONType)),
		},
	}
	c.Response().Header().Set(echo.HeaderContentType, openAPIType)
	c.Response().WriteHeader(http.StatusOK)
	return jsonEncode(c.Response(), doc)
}
