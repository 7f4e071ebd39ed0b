"""What an operator runs against the broker, beside the staff command line: the dead-letter topics listed and
replayed (`python -m docket_operator.deadletters`), and a live tail of Docket's topics (used by `make run` and
`docket events tail`). With docket_messaging, the only packages that speak to Kafka directly.
"""
