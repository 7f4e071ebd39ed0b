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

# Starts its own PostgreSQL and Kafka; prints the table and writes .docket/bench/bench.{md,json}.
# ARGS="--small" checks that it runs; ARGS="--only bench.case" runs one module.
bench: $(VENV)/installed $(VENV)/bench-installed
	$(PY) -m bench $(ARGS)

docs: $(VENV)/installed
	$(PY) -m docket_contracts.export docs

# Benchmark-only dependencies (the eventsourcing reference, py-spy), held to the pins of requirements.txt.
$(VENV)/bench-installed: bench/requirements.txt requirements.txt $(VENV)/installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt -c requirements.txt
	touch $@

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
