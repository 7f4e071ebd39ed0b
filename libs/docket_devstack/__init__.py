"""Real Kafka and PostgreSQL servers for tests and local runs."""
