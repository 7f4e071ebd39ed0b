"""Docket's messaging runtime: transactional outbox and relay, inbox consumer, Kafka codec,
dead letters, and the database and service wiring they need. The only package that imports aiokafka.
"""
