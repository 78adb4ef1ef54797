# riskmap: `make demo` serves the Lishui demo map; `make test` runs every
# test. Both install what is missing first (Debian/Ubuntu, as root).

SHELL      := /bin/bash
GO         ?= go
PG_MAJOR   ?= 15
VERSION    := $(shell git describe --always --dirty 2>/dev/null || echo dev)
VENDOR     := web/dist/vendor
NODE_MODS  := web/node_modules

# What the server needs, and what the tests need besides (a real headless
# browser and a CJK font for it).
SERVER_PACKAGES := postgresql-$(PG_MAJOR) postgresql-$(PG_MAJOR)-postgis-3 postgresql-$(PG_MAJOR)-pgrouting gdal-bin
TEST_PACKAGES   := chromium fonts-wqy-microhei
NODE_PACKAGES   := $(if $(shell command -v npm),,nodejs npm)

.PHONY: all build demo test bench soak deps test-deps web godeps clean

all: build

# apt_install installs the packages among $(1) that are not installed yet.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "riskmap needs:$$missing; install them with: sudo apt-get install$$missing" >&2; exit 1; fi; \
	  echo "installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is needed: https://go.dev/doc/install" >&2; exit 1; }
	$(call apt_install,$(SERVER_PACKAGES) $(NODE_PACKAGES))

test-deps: deps
	$(call apt_install,$(TEST_PACKAGES))

godeps:
	$(GO) mod download

# Front-end libraries: from npm (pinned by web/package-lock.json), copied
# into web/dist, which the binary embeds. Neither is committed.
$(NODE_MODS)/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# MapLibre (the map), terra-draw and its MapLibre adapter (the planners'
# editor), jsPDF's classic-script build (report maps as PDF).
$(VENDOR)/.stamp: $(NODE_MODS)/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/maplibre-gl $(VENDOR)/terra-draw $(VENDOR)/jspdf
	cp $(NODE_MODS)/maplibre-gl/dist/maplibre-gl.mjs $(NODE_MODS)/maplibre-gl/dist/maplibre-gl-worker.mjs \
	   $(NODE_MODS)/maplibre-gl/dist/maplibre-gl.css $(NODE_MODS)/maplibre-gl/LICENSE.txt $(VENDOR)/maplibre-gl/
	cp $(NODE_MODS)/terra-draw/dist/terra-draw.modern.js $(VENDOR)/terra-draw/
	cp $(NODE_MODS)/terra-draw-maplibre-gl-adapter/dist/terra-draw-maplibre-gl-adapter.modern.js $(VENDOR)/terra-draw/
	cp $(NODE_MODS)/terra-draw/package.json $(VENDOR)/terra-draw/terra-draw.package.json
	cp $(NODE_MODS)/terra-draw-maplibre-gl-adapter/package.json $(VENDOR)/terra-draw/adapter.package.json
	cp $(NODE_MODS)/jspdf/dist/jspdf.umd.min.js $(NODE_MODS)/jspdf/LICENSE $(VENDOR)/jspdf/
	@touch $@

web: $(VENDOR)/.stamp

build: deps web godeps
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/riskmap ./cmd/riskmap

demo: build
	./bin/riskmap demo

test: test-deps web godeps
	$(GO) vet ./...
	@# A syntax error in one page script stops the pages before any test can say why.
	for f in web/ui/*.js; do node --check $$f || exit 1; done
	$(GO) test -count=1 -timeout 20m ./...

bench: test-deps web godeps
	$(GO) test -run '^$$' -bench . -benchmem -timeout 40m ./...

# The wall's soak run (30 minutes; not part of make test): a stream of
# changes into a wall in Chromium, its heap measured once a minute.
soak: test-deps web godeps
	RISKMAP_SOAK_REPORT=$${RISKMAP_SOAK_REPORT:-$(CURDIR)/soak-report.txt} $(GO) test -tags soak -count=1 -run '^TestWallSoak$$' -v -timeout 50m ./web/

clean:
	rm -rf bin web/dist/vendor web/node_modules
