# Two entry points that work on a fresh machine with nothing but python3:
#   make run   -> the assistant in the terminal (console chat, SQLite at var/cti.db)
#   make test  -> ruff + the whole test suite
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean rasa rasa-serve test-rasa reliability audit

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

test: lint
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) bench/report.py

# The long fault and load runs (tests marked `slow`), with large counts; see RELIABILITY.md.
reliability: $(STAMP)
	CTI_KILLS=50 CTI_KILL_PEOPLE=5 $(VENV)/bin/pytest -m slow tests/reliability -q
	CTI_HOSTILE_EXAMPLES=10000 $(VENV)/bin/pytest tests/security/test_hostile_text.py -q

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
