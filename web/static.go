package web

import (
	"embed"
	"errors"
	"fmt"
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
	switch p {
	case "", ".":
		p = "index.html"
	case "wall", "tasks", "admin", "import": // the command-centre wall (大屏), the tasks page (待办), administration (系统管理), imports (数据导入)
		if strings.HasSuffix(c.Request().URL.Path, "/") { // its relative links would miss
			return c.Redirect(http.StatusMovedPermanently, "../"+p)
		}
		p += ".html"
	}
	fsys, name, cache := fs.FS(uiFS), "ui/"+p, "no-cache"
	if strings.HasPrefix(p, "vendor/") {
		fsys, name, cache = distFS, "dist/"+p, "public, max-age=3600"
	}
	if fi, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) || (err == nil && fi.IsDir()) {
		return geo.ErrNotFound
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read embedded %s: %w", name, err)
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
