package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/tiles"
)

// mvtType is the registered media type of Mapbox Vector Tiles.
const mvtType = "application/vnd.mapbox-vector-tile"

func (s *Server) handleTile(c echo.Context) error {
	layers, err := geo.ParseLayers("layers", c.Param("layers"))
	if err != nil {
		return err
	}
	y := c.Param("y")
	if !strings.HasSuffix(y, ".mvt") && !strings.HasSuffix(y, ".pbf") {
		return geo.Invalidf("y", "tile address must end in .mvt, got %q", y)
	}
	t, err := tiles.Parse(c.Param("z"), c.Param("x"), y)
	if err != nil {
		return err
	}
	// Restricted layers the request may not see are left out, so that one
	// map page serves every role.
	if layers = s.readable(c, layers); len(layers) == 0 {
		return c.NoContent(http.StatusNoContent)
	}
	f, err := geo.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	f.Within = s.viewScope(c)
	start := time.Now()
	tile, err := s.tiles.Get(c.Request().Context(), layers, t, f)
	if err != nil {
		return err
	}
	s.metrics.tile(layers, int(t.Z), time.Since(start), len(tile.Gzip))
	h := c.Response().Header()
	// Revalidate every time: the ETag names the data, so a 304 is cheap
	// and a changed layer is never served stale from a browser's cache.
	h.Set(echo.HeaderCacheControl, "no-cache")
	h.Set("ETag", tile.ETag)
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if len(tile.Truncated) > 0 {
		// The tile carries a riskmap_truncated layer too.
		names := make([]string, len(tile.Truncated))
		for i, l := range tile.Truncated {
			names[i] = string(l)
		}
		h.Set("Riskmap-Truncated", strings.Join(names, ","))
	}
	// Each representation (brotli, gzip, none) has its own strong ETag.
	accept := c.Request().Header.Get(echo.HeaderAcceptEncoding)
	enc := ""
	switch {
	case tile.Brotli != nil && accepts(accept, "br"):
		enc = "br"
	case accepts(accept, "gzip"):
		enc = "gzip"
	}
	h.Set("ETag", representationETag(tile.ETag, enc))
	if matches(c.Request().Header.Get("If-None-Match"), h.Get("ETag")) {
		return c.NoContent(http.StatusNotModified)
	}
	switch enc {
	case "br":
		h.Set(echo.HeaderContentEncoding, "br")
		return c.Blob(http.StatusOK, mvtType, tile.Brotli)
	case "gzip":
		h.Set(echo.HeaderContentEncoding, "gzip")
		return c.Blob(http.StatusOK, mvtType, tile.Gzip)
	}
	zr, err := gzip.NewReader(bytes.NewReader(tile.Gzip))
	if err != nil {
		return err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, mvtType, b)
}

func (s *Server) handleTileJSON(c echo.Context) error {
	file := c.Param("file")
	name, ok := strings.CutSuffix(file, ".json")
	if !ok {
		return geo.Invalidf("layers", "want /tiles/{layers}.json or /tiles/{layers}/{z}/{x}/{y}.mvt, got /tiles/%s", file)
	}
	layers, err := geo.ParseLayers("layers", name)
	if err != nil {
		return err
	}
	b, err := s.extent(c)
	if err != nil {
		return err
	}
	// A filtered tile set's tiles carry the filter.
	f, err := geo.ParseFilter(c.QueryParams())
	if err != nil {
		return err
	}
	url := s.baseURL(c) + "/tiles/" + name + "/{z}/{x}/{y}.mvt"
	if k := f.Key(); k != "" {
		url += "?" + k
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.JSON(http.StatusOK, tiles.NewTileJSON(layers, url, b, s.opts.Version))
}

// baseURL is where clients reach us: the configured public URL, else the
// scheme and host of the request.
func (s *Server) baseURL(c echo.Context) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// accepts tells whether an Accept-Encoding header names the coding (with
// a quality above 0).
func accepts(accept, coding string) bool {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.TrimSpace(k) == "q" {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

// representationETag is the ETag of a tile in a content coding: the
// gzip one is the tile's own.
func representationETag(etag, coding string) string {
	switch coding {
	case "gzip":
		return etag
	case "":
		return strings.TrimSuffix(etag, `"`) + `-identity"`
	}
	return strings.TrimSuffix(etag, `"`) + "-" + coding + `"`
}

// matches tells whether an If-None-Match header names etag: in a list,
// weakly (W/ compares equal), or as *.
func matches(inm, etag string) bool {
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
