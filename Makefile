# The two commands: `make run` brings Docket up; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR):$(CURDIR)/libs

.PHONY: run test lint faults bench docs lock messages
run: $(VENV)/installed $(VENV)/bin/docket
	$(PY) -m docket_devstack up $(ARGS)

test: lint $(VENV)/bin/docket $(VENV)/bin/kustomize
	$(PY) -m pytest

# Run by make test before the tests: the linter and the formatter (ruff), then the type checker (mypy, strict on
# libs/ and each service's domain, use cases and event handlers: pyproject.toml says which files).
lint: $(VENV)/installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The slow suite: faults on the real processes under load, and 1,000+ fuzzed requests per service.
faults: $(VENV)/installed
	SCHEMATHESIS_MAX_EXAMPLES=200 $(PY) -m pytest -m "faults or slow" --durations=0 tests/faults \
		tests/service/test_schemathesis.py tests/e2e/test_scale_out.py tests/e2e/test_run_command.py \
		tests/e2e/test_network.py tests/e2e/test_one_stop_shop.py tests/e2e/test_benchmarks.py

# Starts its own PostgreSQL and Kafka; prints the table and writes .docket/bench/bench.{md,json}.
# ARGS="--small" checks that it runs; ARGS="--only bench.case" runs one module.
bench: $(VENV)/installed $(VENV)/bench-installed
	$(PY) -m bench $(ARGS)

docs: $(VENV)/installed
	$(PY) -m docket_contracts.export docs
	$(PY) -m docgen.configuration docs/operations.md

# The letters' messages (t() and tn() in services/notifier/domain) extracted into letters.pot, and each
# language's catalog (services/notifier/locales/<language>/LC_MESSAGES/letters.po) brought up to date with them:
# then translate what is new or fuzzy, and run tests/unit/test_notifier_languages.py (docs/guide.md, "Languages").
LOCALES := services/notifier/locales
messages: $(VENV)/installed
	$(VENV)/bin/pybabel extract -F babel.cfg --no-default-keywords -k t -k tn:1,2 --no-location \
		--sort-output --project Docket -o $(LOCALES)/letters.pot .
	$(VENV)/bin/pybabel update -i $(LOCALES)/letters.pot -d $(LOCALES) -D letters --ignore-obsolete \
		--ignore-pot-creation-date

# The pinned sets, exported with their hashes from uv.lock (pyproject.toml declares them): runtime.txt is what
# the image installs, dev.txt what .venv gets (runtime and the dev group), bench.txt the benchmark group.
# After changing pyproject.toml's dependencies, or to upgrade one: make lock ARGS="--upgrade-package NAME".
UV := $(VENV)/bin/uv
lock: $(VENV)/installed
	$(UV) lock $(ARGS)
	$(UV) export --quiet --frozen --no-emit-project --no-default-groups -o requirements/runtime.txt
	$(UV) export --quiet --frozen --no-emit-project -o requirements/dev.txt
	$(UV) export --quiet --frozen --no-emit-project --only-group bench -o requirements/bench.txt

# Benchmark-only dependencies (the eventsourcing reference, py-spy), from the same lock as everything else.
$(VENV)/bench-installed: requirements/bench.txt $(VENV)/installed
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bench.txt
	touch $@

# The staff command line (libs/docket_cli): `.venv/bin/docket`, or `docket` once .venv/bin is on PATH.
$(VENV)/bin/docket: $(VENV)/installed
	printf '#!/bin/sh\nPYTHONPATH="%s$${PYTHONPATH:+:$$PYTHONPATH}" exec "%s" -m docket_cli "$$@"\n' \
		"$(CURDIR):$(CURDIR)/libs" "$(abspath $(PY))" > $@
	chmod +x $@

# kustomize, pinned, for tests/unit/test_k8s_trial.py: it builds deploy/k8s as `kubectl apply -k` does (README,
# "Kubernetes"). A Go module, installed with the machine's Go into .venv/bin; to upgrade, change the version and
# delete .venv/bin/kustomize.
KUSTOMIZE_VERSION := v5.8.2
$(VENV)/bin/kustomize: | $(VENV)/installed
	GOBIN=$(abspath $(VENV)/bin) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(VENV)/installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@
