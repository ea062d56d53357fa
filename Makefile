# Two commands for a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup lint clean paper graphs

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

# The suite starts many fresh interpreters (the CLI, the import checks, the
# kill -9 children): byte-compiled first, they do not each compile src again.
test: $(STAMP)
	@$(PY) -m compileall -q src > /dev/null 2>&1 || true
	$(PY) -m pytest -q -rs -n auto --dist worksteal $(PYTEST_ARGS)
	$(VENV)/bin/lint-imports

lint: $(STAMP)
	$(PY) -m pip install --quiet ruff mypy types-PyYAML
	$(VENV)/bin/ruff check src
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Every playbook's card and blank form as PDF, into paper/: one file each (the
# names the red paper screen gives) and all in one to send to the printer
# (through the system's Chromium: the Debian packages chromium and fonts-noto-cjk).
paper: $(STAMP)
	$(VENV)/bin/ehplan cards --forms --format pdf --out paper $(ARGS)
	$(VENV)/bin/ehplan cards --forms --format pdf --out paper --combined $(ARGS)

# The flowcharts the authoring doc shows (docs/graphs/<playbook>.svg); commit them.
graphs: $(STAMP)
	@mkdir -p docs/graphs
	@for file in playbooks/*.yaml; do \
		$(VENV)/bin/ehplan graph "$$(basename "$$file" .yaml)" --out "docs/graphs/$$(basename "$$file" .yaml).svg" || exit 1; \
	done

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist
