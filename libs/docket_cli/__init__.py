"""`docket`, the staff command line: Docket's three services over HTTP, its events from Kafka, and the
identity provider for `docket login`. It imports Docket's libraries, never a service's code.

    .venv/bin/docket --help        (make writes this launcher; or: python -m docket_cli)
"""
