# Listening State: `make run` serves the demo site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := listening_state
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck pytest translations messages lock clean

$(VENV)/.base-installed: requirements/base.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.lock
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	touch $@

# Compiled catalogs are build output: made from the committed .po files.
translations: $(VENV)/.base-installed
	$(BIN)/pybabel compile --use-fuzzy -d listening_state/translations

# Without Redis, background jobs (the demo's first themes, queued here) run in a thread of the
# server, started by its first request: nothing else to start.
run: $(VENV)/.base-installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/flask router bootstrap
	$(BIN)/flask moderation bootstrap
	$(BIN)/flask themes bootstrap --queue
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

pytest: $(VENV)/.dev-installed translations
	$(BIN)/python -m pytest --cov=listening_state --cov-branch --cov-report=term --cov-fail-under=85 $(PYTEST_ARGS)

test: lint typecheck pytest

# After adding or changing visible text: extract it and merge it into the three catalogs.
messages: $(VENV)/.base-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".*" --no-location --sort-output \
		--project "Listening State" --copyright-holder "Listening State contributors" \
		-o listening_state/translations/messages.pot .
	$(BIN)/pybabel update -i listening_state/translations/messages.pot -d listening_state/translations --no-fuzzy-matching

# Re-resolve the pinned versions from the ranges in pyproject.toml.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet . && .lockvenv/bin/pip freeze --exclude-editable --exclude listening-state | LC_ALL=C sort > requirements/base.lock
	.lockvenv/bin/pip install --quiet '.[dev]' && .lockvenv/bin/pip freeze --exclude-editable --exclude listening-state | LC_ALL=C sort > .lockvenv/all.txt
	{ echo "-r base.lock"; LC_ALL=C comm -13 requirements/base.lock .lockvenv/all.txt; } > requirements/dev.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage test-artifacts
