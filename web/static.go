package web

import (
	"embed"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"riskmap/geo"
)

// ui holds the map page's own files (committed); dist holds what `make`
// builds into web/dist: the front-end libraries copied from node_modules
// under vendor/ (not committed).
var (
	//go:embed ui
	uiFS embed.FS
	//go:embed all:dist
	distFS embed.FS
)

// HasVendor reports whether the binary was built with the front-end
// libraries (make build); without them the map page cannot draw.
func HasVendor() bool {
	_, err := fs.Stat(distFS, "dist/vendor/maplibre-gl/maplibre-gl.mjs")
	return err == nil
}

// Explicit types: the platform's MIME table may lack .mjs, and module
// scripts served as text/plain do not run.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
}

// handleStatic serves the embedded front end. A missing file is a 404,
// never index.html: a module script answered with HTML fails silently.
func (s *Server) handleStatic(c echo.Context) error {
	p := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	if p == "" || p == "." {
		p = "index.html"
	}
	var (
		b   []byte
		err error
	)
	cache := "no-cache"
	if strings.HasPrefix(p, "vendor/") {
		b, err = fs.ReadFile(distFS, "dist/"+p)
		cache = "public, max-age=3600"
	} else {
		b, err = fs.ReadFile(uiFS, "ui/"+p)
	}
	if errors.Is(err, fs.ErrNotExist) || (err != nil && strings.Contains(err.Error(), "is a directory")) {
		return geo.ErrNotFound
	}
	if err != nil {
		return err
	}
	ct, ok := contentTypes[path.Ext(p)]
	if !ok {
		if ct = mime.TypeByExtension(path.Ext(p)); ct == "" {
			ct = "application/octet-stream"
		}
	}
	c.Response().Header().Set(echo.HeaderCacheControl, cache)
	return c.Blob(http.StatusOK, ct, b)
}
