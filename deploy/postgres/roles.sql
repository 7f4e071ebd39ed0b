-- Docket's database roles: one per service and one for the key store, each owning its own schema and
-- able to touch nothing else. Idempotent. Run as a superuser, connected to Docket's database:
--   psql -v ON_ERROR_STOP=1 -v database=docket -v intake_password=... -v case_password=... \
--        -v notifier_password=... -v keystore_password=... -f deploy/postgres/roles.sql
-- Used by `make run` and the tests (libs/docket_devstack/database.py) and by docker compose
-- (deploy/postgres/init-roles.sh).

REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

SELECT format('CREATE ROLE %I LOGIN', name)
  FROM (VALUES ('docket_intake'), ('docket_case'), ('docket_notifier'), ('docket_keystore')) AS r(name)
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) \gexec

ALTER ROLE docket_intake PASSWORD :'intake_password';
ALTER ROLE docket_case PASSWORD :'case_password';
ALTER ROLE docket_notifier PASSWORD :'notifier_password';
ALTER ROLE docket_keystore PASSWORD :'keystore_password';

GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO docket_intake, docket_case, docket_notifier, docket_keystore;

CREATE SCHEMA IF NOT EXISTS intake AUTHORIZATION docket_intake;
CREATE SCHEMA IF NOT EXISTS "case" AUTHORIZATION docket_case;
CREATE SCHEMA IF NOT EXISTS notifier AUTHORIZATION docket_notifier;
CREATE SCHEMA IF NOT EXISTS keystore AUTHORIZATION docket_keystore;
