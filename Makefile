# The two commands of the README. Each creates .venv when missing and installs
# the project into it, so a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements.lock

.PHONY: run test install lock schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Install the exact versions of the lock file, then the project itself without
# resolving again; reinstall whenever the lock or pyproject.toml changes.
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# GraphiQL's scripts and styles, pinned in graphiql/package-lock.json and
# fetched with npm (the page serves them from our own origin, no CDN).
VENDOR := app/http/pages/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
VENDOR_FILES := react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js \
	graphiql/graphiql.min.js graphiql/graphiql.min.css

$(VENDOR_STAMP): graphiql/package.json graphiql/package-lock.json
	cd graphiql && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	for file in $(VENDOR_FILES); do cp graphiql/node_modules/$$file $(VENDOR)/; done
	touch $(VENDOR_STAMP)

install: $(STAMP) $(VENDOR_STAMP)

$(BIN)/pip-compile: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools

## make lock: re-resolve pyproject.toml (dependencies, the test and otel extras: the tracing test needs otel) into requirements.lock.
## Keeps the current pins where they still fit; LOCK_ARGS="--upgrade-package NAME" (or --upgrade) moves them.
lock: $(BIN)/pip-compile
	$(BIN)/pip-compile --quiet --extra test --extra otel --strip-extras --no-emit-index-url --no-emit-find-links \
		$(LOCK_ARGS) -o $(LOCK) pyproject.toml

## make run: migrate, load the demo data, serve with GraphiQL on ./var/commerce.db
run: install
	$(BIN)/commerce serve --demo

## make test: lint (ruff, complexity included) and types, then the whole suite, on SQLite and
## (when reachable) PostgreSQL, in two processes (tests/conftest.py gives each its own
## PostgreSQL database); PYTEST_ARGS="-n 0" runs one.
PYTEST_ARGS ?= -n 2 --dist loadfile
test: install
	$(BIN)/ruff check app
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schema: install
	$(BIN)/commerce schema export --output schema.graphql

bench: install
	$(BIN)/python bench/http.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache graphiql/node_modules $(VENDOR)
