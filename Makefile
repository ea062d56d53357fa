# Two commands for a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Byte-compile ehplan's own modules first (as pip does for a wheel), so the app
# starts from bytecode even where PYTHONDONTWRITEBYTECODE is set. Best effort:
# a read-only checkout only starts a little slower.
run: $(STAMP)
	@$(PY) -m compileall -q src > /dev/null 2>&1 || true
	$(VENV)/bin/ehplan $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q -rs -n auto $(PYTEST_ARGS)
	$(VENV)/bin/lint-imports

lint: $(STAMP)
	$(PY) -m pip install --quiet ruff mypy types-PyYAML
	$(VENV)/bin/ruff check src
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist
