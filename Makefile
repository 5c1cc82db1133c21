# The two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install services worker scheduler projections bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the platform on the embedded default: SQLite under ./var, jobs in-process, demo tenant.
run: $(STAMP)
	mkdir -p var
	$(BIN)/flask --app wsgi demo seed
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

## Make sure PostgreSQL and Redis answer, then run the whole suite.
test: $(STAMP)
	bash scripts/ensure-services.sh
	bash scripts/ensure-browser.sh
	$(BIN)/python -m pytest

services:
	bash scripts/ensure-services.sh

worker: $(STAMP)
	$(BIN)/python -m mend.workers.worker

scheduler: $(STAMP)
	$(BIN)/python -m mend.workers.scheduler

projections: $(STAMP)
	$(BIN)/flask --app wsgi projections run

bench: $(STAMP)
	bash scripts/ensure-services.sh
	$(BIN)/python benchmarks/append.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/jobs.py

clean:
	rm -rf $(VENV) var .pytest_cache
