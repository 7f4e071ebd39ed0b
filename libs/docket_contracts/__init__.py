"""Docket's event contract: the CloudEvents envelope, payload models, topics and their export.

Pure: imports nothing of the services nor of any Kafka or database client.
"""
