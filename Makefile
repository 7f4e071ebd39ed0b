# The two commands: `make run` brings Docket up; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR):$(CURDIR)/libs

.PHONY: run test faults bench docs
run: $(VENV)/installed
	$(PY) -m docket_devstack up $(ARGS)

test: $(VENV)/installed
	$(PY) -m pytest

# The slow suite: faults on the real processes under load, and 1,000+ fuzzed requests per service.
faults: $(VENV)/installed
	SCHEMATHESIS_MAX_EXAMPLES=200 $(PY) -m pytest -m "faults or slow" --durations=0 tests/faults \
		tests/service/test_schemathesis.py

bench: $(VENV)/installed
	$(PY) -m bench

docs: $(VENV)/installed
	$(PY) -m docket_contracts.export docs

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
