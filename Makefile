# Two entry points, both self-contained on a fresh machine with Python 3.11:
#   make serve  - create .venv, install, start the switch on the demo company
#   make test   - create .venv, install with test extras, run every test
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: serve test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

serve: $(VENV)/.installed
	$(BIN)/ctiswitch serve $(ARGS)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) ctiswitch-data .pytest_cache
