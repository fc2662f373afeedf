PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint screenshots bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,demo]'
	# Bytecode up front: some hosts set PYTHONDONTWRITEBYTECODE, and recompiling costs every start.
	$(BIN)/python -m compileall -q lambdaperm_tui
	touch $(STAMP)

test: lint
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/lambdaperm-tui --demo

lint: $(STAMP)
	$(BIN)/ruff check lambdaperm_tui tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/ui.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
