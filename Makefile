# Two commands: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SYSTEM_RUN := packaging/system-packages.txt
SYSTEM_TEST := packaging/system-packages-test.txt
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test setup setup-test lint clean translations package package-test

run: setup
	$(PY) -m app

test: setup-test lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: setup-test
	$(VENV)/bin/ruff check app widgets capture streaming tests
	$(VENV)/bin/ruff format --check app widgets capture streaming tests
	$(VENV)/bin/mypy app capture streaming widgets

# Refresh app/translations/*.ts from the sources (then translate what is marked unfinished);
# the .qm files Qt loads are compiled from them when the console starts (app/i18n.py).
translations: setup
	$(PY) -m app.i18n_update

# One-folder PyInstaller bundle of the console: dist/livedesk/livedesk (same subcommands as
# `livedesk`), with the desktop entry, icon and per-user installer beside it.
package: setup-test
	rm -rf dist/livedesk
	$(VENV)/bin/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/livedesk.spec
	cp packaging/livedesk.desktop packaging/livedesk.svg packaging/install-desktop.sh dist/livedesk/

# The packaged console's self-test, headless, in a clean environment (no venv, no PYTHONPATH).
package-test: package
	bash packaging/smoke-test.sh dist/livedesk

setup: $(RUN_STAMP)
setup-test: $(TEST_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUN_STAMP): $(PY) requirements.lock requirements-nodeps.lock pyproject.toml $(SYSTEM_RUN)
	bash packaging/install-system.sh $(SYSTEM_RUN)
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(TEST_STAMP): $(RUN_STAMP) requirements-test.lock requirements-bench.lock $(SYSTEM_TEST)
	bash packaging/install-system.sh $(SYSTEM_TEST)
	$(PY) -m pip install -q -r requirements-test.lock
	$(PY) -m pip install -q -r requirements-bench.lock
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info
