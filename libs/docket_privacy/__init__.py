"""Docket's personal data: sealed with a key per data subject, opened only by services that hold the
key store, and erased by destroying one key (crypto-shredding).

Events are immutable and copied everywhere (event store, outbox, Kafka, dead-letter topics, webhook
bodies), so personal values are never written in clear: they are sealed before they leave the service
that received them, and an erased subject's values read as erased in every copy at once.
"""
