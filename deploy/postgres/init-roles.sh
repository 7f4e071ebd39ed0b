#!/bin/sh
# docker compose: the official postgres image runs this once, when it initialises its data directory.
# Docket's roles and schemas (roles.sql, the script `make run` and the tests use too), and Keycloak's
# own role and database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v database="$POSTGRES_DB" \
  -v migrator_password="$DOCKET_MIGRATOR_DB_PASSWORD" \
  -v intake_password="$DOCKET_INTAKE_DB_PASSWORD" \
  -v case_password="$DOCKET_CASE_DB_PASSWORD" \
  -v notifier_password="$DOCKET_NOTIFIER_DB_PASSWORD" \
  -v keystore_password="$DOCKET_KEYSTORE_DB_PASSWORD" \
  -f /docket/roles.sql
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v keycloak_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE keycloak LOGIN PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak;
SQL
