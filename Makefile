# The two commands: `make run` brings Docket up; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR):$(CURDIR)/libs

.PHONY: run test bench docs
run: $(VENV)/installed
	$(PY) -m docket_devstack up $(ARGS)

test: $(VENV)/installed
	$(PY) -m pytest

bench: $(VENV)/installed
	$(PY) -m bench

docs: $(VENV)/installed
	$(PY) -m docket_contracts.export docs

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
