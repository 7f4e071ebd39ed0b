"""Docket's messaging: the transactional outbox and its relay, the inbox consumer with retries and dead
letters, the Kafka codec and clients, and the context (ids, trace) a message carries. The only package of the
services' runtime that imports aiokafka.
"""
