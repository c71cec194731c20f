# dialogue: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEV := DIALOGUE_ENV=development
# the phase of Flen's demo process that today falls in (`flask demo load --now-in`): the whole cycle by default
DEMO_NOW_IN ?= follow_up
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test bench translations extract-messages update-messages lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

translations: $(VENV)/.run-installed
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v '^compiling' || true
	@test -f translations/sv/LC_MESSAGES/messages.mo

run: $(VENV)/.run-installed translations
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) demo load --if-empty --now-in $(DEMO_NOW_IN) --credentials instance/demo-credentials.txt
	@echo
	@echo "dialogue runs at http://$(HOST):$(PORT)/  (Ctrl-C stops it; the data stays in instance/)"
	@echo "Staff sign in at http://$(HOST):$(PORT)/staff/login with one of these demo accounts:"
	@sed 's/^/  /' instance/demo-credentials.txt 2>/dev/null || echo "  (create one: $(FLASK) users create EMAIL --role admin)"
	@echo
	$(DEV) $(FLASK) run --host $(HOST) --port $(PORT)

# pytest-xdist: one worker per CPU, each with its own PostgreSQL server, browser and files; PYTEST_WORKERS=0 runs
# the suite in this process (e.g. for --pdb). Tests sharing a module-scoped fixture stay together (conftest.py).
PYTEST_WORKERS ?= auto

test: $(VENV)/.test-installed translations
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: $(VENV)/.test-installed translations
	$(BIN)/python -m tests.bench.run

extract-messages: $(VENV)/.run-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k _lp:1c,2 -k lazy_pgettext:1c,2 --no-location --sort-output \
		--project dialogue --copyright-holder "dialogue contributors" -o translations/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

lint: $(VENV)/.test-installed
	$(BIN)/ruff check dialogue tests

clean:
	rm -rf $(VENV) instance/dialogue.sqlite3* translations/*/LC_MESSAGES/*.mo
