# Two entry points that work on a fresh machine with nothing but python3:
#   make run   -> the assistant in the terminal (console chat, SQLite at var/cti.db)
#   make test  -> ruff, mypy and the whole test suite
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test chromium lint typecheck bench clean rasa rasa-serve test-rasa reliability load audit

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cti chat

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every package (bot, nlu, dialogues, channels): the files and settings are in pyproject.toml.
typecheck: $(STAMP)
	$(VENV)/bin/mypy

# One pytest worker per core (2 on the developers' machines and CI): each worker has its own
# PostgreSQL server, temporary folders and NLU cache (see tests/conftest.py).
test: lint typecheck chromium
	$(VENV)/bin/pytest -n auto

# The staff console's browser tests (tests/web) drive Debian's chromium through Playwright;
# Playwright never downloads a browser here. As root it is installed with apt if missing.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && apt-get install -y --no-install-recommends chromium; \
	  else \
	    echo "Falta chromium: sudo apt-get install -y --no-install-recommends chromium"; exit 1; \
	  fi; }

bench: $(STAMP)
	$(PY) bench/report.py

# The long fault and load runs (tests marked `slow`), with large counts; see RELIABILITY.md.
RELIABILITY_COUNTS := CTI_KILLS=50 CTI_KILL_PEOPLE=5 CTI_DUP_PEOPLE=10 CTI_DUP_ANSWERS=30 \
	CTI_OUTAGE_SECONDS=60 CTI_OUTAGE_PEOPLE=5 CTI_RACE_CONTACTS=10 CTI_RACE_SAVES=100 \
	CTI_SOAK_USERS=300 CTI_SOAK_SECONDS=300

reliability: $(STAMP)
	$(RELIABILITY_COUNTS) $(VENV)/bin/pytest -m slow tests/reliability -q -s --durations=0
	CTI_HOSTILE_EXAMPLES=10000 $(VENV)/bin/pytest tests/security/test_hostile_text.py -q

# Every entity through the real `cti run` at once, with its baselines; see RELIABILITY.md.
load: $(STAMP)
	$(PY) bench/load.py --n 1135 --questions 10

# Known vulnerabilities in the installed dependencies. Needs the internet (PyPI's JSON API, or
# OSV with `--vulnerability-service osv`); --strict fails when a package could not be checked,
# instead of passing with nothing audited. Not part of `make test` (see README, «Seguridad»).
audit: $(STAMP)
	$(PY) -m pip install --quiet -e '.[audit]'
	$(VENV)/bin/pip-audit --strict --progress-spinner off --skip-editable

# Optional Rasa NLU server (nlu.backend: rasa). Not part of `make test`: it needs Python 3.10
# (Rasa 3.x does not run on 3.11+), about 2.7 GB of packages and minutes of training.
rasa: $(STAMP)
	bash scripts/rasa-venv.sh
	$(VENV)/bin/cti nlu rasa-train

rasa-serve: rasa
	$(VENV)/bin/cti nlu rasa-serve --port 5005

test-rasa: rasa
	$(VENV)/bin/pytest -m rasa

clean:
	rm -rf $(VENV) .venv-rasa var/*.db var/rasa var/nlu-cache .pytest_cache
