# Yishi Map: `make run` starts the app on the demo data, `make test` runs every test.
# Both set themselves up on a fresh machine (virtualenv, pip, npm map scripts, Chromium).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench setup assets browser fonts postgres store clean

setup: $(VENV)/.installed assets

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Leaflet and the plugins folium uses, served by Streamlit from static/ (no CDN needed).
assets: static/vendor/.installed
static/vendor/.installed: package.json package-lock.json scripts/vendor_assets.py $(wildcard ui/js/*.js) $(VENV)/.installed
	command -v npm >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python scripts/vendor_assets.py
	touch $@

# Debian's Chromium (and CJK fonts for screenshots) for the browser tests.
browser:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk)

# PostgreSQL and PostGIS for the PostGIS backend's tests (a throwaway cluster per test run,
# tests/postgis_server.py); the app itself runs on SQLite unless $YISHI_STORE is a postgresql:// URL.
postgres:
	@ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql-postgis)

# The CJK font the PNG venue posters are drawn with (`python -m geo posters`, the community page).
fonts:
	@fc-list 2>/dev/null | grep -q 'Noto Sans CJK' || ($(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fontconfig fonts-noto-cjk)

store: setup fonts
	$(BIN)/python -m geo init --demo

run: store
	$(BIN)/streamlit run server.py --server.port $(PORT)

test: setup browser fonts postgres
	$(BIN)/python -m pytest -q

bench: setup postgres
	$(BIN)/python -m bench.assign
	$(BIN)/python -m bench.map_payload
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.store
	$(BIN)/python -m bench.signin
	$(BIN)/python -m bench.public
	$(BIN)/python -m bench.page

clean:
	rm -rf $(VENV) node_modules static/vendor var
