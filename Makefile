# The two commands of the README: `make run` and `make test`. Both set up what they need.
PORT ?= 8501
# localhost: this machine only (see .streamlit/config.toml); 0.0.0.0 serves the network.
ADDRESS ?= localhost
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-unit test-browser lint install browser clean bench bench-large

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Start the app on its shipped data (PORT=8502 make run for a second copy; ADDRESS=0.0.0.0
## make run to serve other machines).
run: install
	$(BIN)/python scripts/serve.py --server.port $(PORT) --server.address $(ADDRESS)

## Headless Chromium for the browser tests: Debian's package, installed when missing.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Browser tests need Chromium at $(CHROMIUM): install Debian's 'chromium' package (as root: apt-get install chromium) or set CHROMIUM=/path/to/chromium."; exit 1; \
	  fi; }

## Every test, the browser tests included.
test: install browser
	ROUTES_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q

test-unit: install
	$(BIN)/python -m pytest -q tests/unit tests/app

test-browser: install browser
	ROUTES_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q tests/browser

## Benchmark: 10k, 100k and 1M records (medians); bench-large adds 10M.
bench: install
	$(BIN)/python bench/run.py

bench-large: install
	$(BIN)/python bench/run.py --large

lint: install
	$(BIN)/ruff check src pages app.py tests scripts
	$(BIN)/ruff format --check src pages app.py tests scripts

clean:
	rm -rf $(VENV) .pytest_cache tests/browser/artifacts
