"""Real Kafka, PostgreSQL and Keycloak servers for tests and local runs."""
