# The two commands of the README. Each creates .venv when missing and installs
# the project into it, so a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make run: migrate, load the demo data, serve with GraphiQL on ./var/commerce.db
run: install
	$(BIN)/commerce serve --demo

## make test: the whole suite, on SQLite and (when reachable) PostgreSQL
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schema: install
	$(BIN)/commerce schema export --output schema.graphql

bench: install
	$(BIN)/python bench/http.py

clean:
	rm -rf $(VENV) var .pytest_cache
