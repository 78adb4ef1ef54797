package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
	"riskmap/tiles"
)

// errUpstream means the basemap's server failed us; it maps to 502.
var errUpstream = errors.New("basemap server failed")

// rasterTypes are the image types relayed; nothing that can carry script
// (SVG) is served from our origin.
var rasterTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

// maxBasemapTile bounds what we relay for one basemap tile.
const maxBasemapTile = 4 << 20

// handleBasemap relays one tile of the configured raster basemap.
func (s *Server) handleBasemap(c echo.Context) error {
	bm := s.opts.Basemap
	if bm == nil {
		return geo.ErrNotFound
	}
	t, err := tiles.Parse(c.Param("z"), c.Param("x"), c.Param("y"))
	if err != nil {
		return err
	}
	if int(t.Z) < bm.MinZoom || int(t.Z) > bm.MaxZoom {
		return geo.Invalidf("z", "the basemap has zoom levels %d to %d", bm.MinZoom, bm.MaxZoom)
	}
	target := strings.NewReplacer("{z}", strconv.Itoa(int(t.Z)), "{x}", strconv.Itoa(int(t.X)), "{y}", strconv.Itoa(int(t.Y))).Replace(bm.URL)
	req, err := http.NewRequestWithContext(c.Request().Context(), http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("basemap request for tile %d/%d/%d: the configured URL is not valid", t.Z, t.X, t.Y)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// *url.Error holds the URL and so the key: keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: fetch tile %d/%d/%d: %w", errUpstream, t.Z, t.X, t.Y, err)
	}
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode != http.StatusOK || !rasterTypes[strings.TrimSpace(strings.Split(ct, ";")[0])] {
		return fmt.Errorf("%w: tile %d/%d/%d: status %d, type %q", errUpstream, t.Z, t.X, t.Y, resp.StatusCode, ct)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBasemapTile+1))
	if err != nil {
		return fmt.Errorf("%w: read tile %d/%d/%d: %w", errUpstream, t.Z, t.X, t.Y, err)
	}
	if len(b) > maxBasemapTile {
		return fmt.Errorf("%w: tile %d/%d/%d is larger than %d bytes", errUpstream, t.Z, t.X, t.Y, maxBasemapTile)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=86400")
	return c.Blob(http.StatusOK, ct, b)
}
