# CareDesk — two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := caredesk.settings

.PHONY: run test setup lint format messages bench fuzz chaos clean

$(PY):
	@PYBIN=$$(scripts/find-python) && echo "Creating $(VENV) with $$PYBIN" && "$$PYBIN" -m venv $(VENV)

$(VENV)/.installed: $(PY) requirements.lock
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

setup: $(VENV)/.installed messages

messages: $(VENV)/.installed
	@$(PY) manage.py compilemessages -v 0 --ignore '.venv*'

run: setup
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	@scripts/serve.sh $(PY) $(HOST) $(PORT) seed_demo

test: setup
	@VENV=$(VENV) scripts/test.sh

bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# Schemathesis, every check, as each role and anonymously, against a freshly migrated server
# (a temporary SQLite database): at least 5,000 calls, several minutes. Not part of `make test`.
fuzz: setup
	$(PY) scripts/fuzz.py $(FUZZ_ARGS)

# Crashes: timers and robot messages at 50 a second while the worker is SIGKILLed 50 times
# (a temporary SQLite database, or DATABASE_URL's, which it empties). Not part of `make test`.
chaos: setup
	$(PY) scripts/chaos.py $(CHAOS_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var .pytest_cache
