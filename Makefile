# corridor: `make demo` to try it, `make test` to check it. Nothing else to do by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install demo test test-fast test-network test-browser lint bench chromium messages clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian's Chromium for the browser tests (root on this machine and in CI).
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(BIN)/corridor demo

# ruff, the import contracts (pyproject [tool.importlinter]) and mypy --strict over src/.
lint: install
	$(BIN)/ruff check $(wildcard src tests bench)
	$(BIN)/lint-imports
	$(BIN)/mypy

# The whole suite, on SQLite and (when it answers) PostgreSQL, unit + network + browser tests.
test: install chromium lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: install
	$(BIN)/python -m pytest -n 2 -q -m "not browser and not network"

test-network: install
	$(BIN)/python -m pytest -q -m network

test-browser: install chromium
	$(BIN)/python -m pytest -q -m browser

bench: install
	$(BIN)/python bench/run_all.py

# The catalogue template from the code; tests/test_catalogues.py writes it elsewhere (POT=…) to
# check the committed one holds every string. Then each language's catalogue is brought up to
# date (new strings empty: the suite names them until they are translated).
POT ?= src/corridor/locale/messages.pot
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ -k pgettext:1c,2 -k NC_:1c,2 --no-location --sort-output -o $(POT) --project corridor . >/dev/null
	@if [ "$(POT)" = src/corridor/locale/messages.pot ]; then \
	  $(BIN)/pybabel update -i $(POT) -d src/corridor/locale --no-fuzzy-matching --ignore-obsolete >/dev/null; fi

clean:
	rm -rf $(VENV) .pytest_cache corridor-data corridor-demo
