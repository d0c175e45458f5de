# The two commands of the README: `make demo` and `make test`. Everything they need is installed
# here: system packages (Java 17, Maven, Chromium) when missing, Python packages into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HS := $(VENV)/bin/hydrascope
STAMP := $(VENV)/.installed
# the test server: HYDRASCOPE_TEST_STATE_DIR / HYDRASCOPE_TEST_BOLT_PORT move it (tests/conftest.py
# reads the same two variables, so the server started here is the one the suite connects to)
TEST_STATE := $(or $(HYDRASCOPE_TEST_STATE_DIR),$(CURDIR)/.hydrascope/test)
TEST_PORT := $(or $(HYDRASCOPE_TEST_BOLT_PORT),7688)
TEST_ENV := HYDRASCOPE_STATE_DIR=$(TEST_STATE) HYDRASCOPE_BOLT_PORT=$(TEST_PORT) \
            HYDRASCOPE_NEO4J_HEAP=1g HYDRASCOPE_NEO4J_PAGECACHE_MB=512

.PHONY: help install lock system-deps demo demo-data test lint typecheck bench db-start db-stop clean

help:
	@echo "make demo   - install, start the local Neo4j, load the demo world, detect, open the app"
	@echo "make test   - install, start a test Neo4j, run the whole suite, stop it"
	@echo "make lint | typecheck | bench | db-start | db-stop | lock | clean"

system-deps:
	@bash scripts/system-deps.sh

# constraints.txt pins every package (transitive ones too) to the versions the suite last passed
# with, so a fresh clone installs what was tested; `make lock` re-pins from the current .venv.
$(STAMP): pyproject.toml constraints.txt
	@$(MAKE) --no-print-directory system-deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

lock:
	@test -x $(PY) || { echo "no $(VENV): run make install first"; exit 1; }
	@{ echo "# Exact versions make install uses (pip -c): regenerate with make lock after a green make test."; \
	   $(PY) -m pip freeze --exclude-editable; } > constraints.txt
	@echo "constraints.txt: $$(grep -vc '^#' constraints.txt) packages pinned"

db-start: install
	@if [ -n "$$NEO4J_URI" ]; then echo "NEO4J_URI is set: using $$NEO4J_URI"; else $(HS) db start; fi

db-stop: install
	@if [ -z "$$NEO4J_URI" ]; then $(HS) db stop; fi

demo: db-start
	$(HS) demo prepare
	$(VENV)/bin/streamlit run app.py

test: install
	@$(TEST_ENV) $(HS) db start
	@set +e; $(TEST_ENV) $(PY) -m pytest; rc=$$?; $(TEST_ENV) $(HS) db stop; exit $$rc

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy hydrascope ingest queries app.py

bench: db-start
	$(PY) bench/run_all.py

clean:
	-$(HS) db stop
	rm -rf .hydrascope neo4j-local/target $(VENV) test-artifacts
