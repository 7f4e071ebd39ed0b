-- Docket's database roles. Idempotent. Run as a superuser, connected to Docket's database:
--   psql -v ON_ERROR_STOP=1 -v database=docket -v migrator_password=... -v intake_password=... \
--        -v case_password=... -v notifier_password=... -v keystore_password=... -f deploy/postgres/roles.sql
-- Used by `make run` and the tests (libs/docket_devstack/database.py) and by docker compose
-- (deploy/postgres/init-roles.sh).
--
-- docket_migrator owns the four schemas and runs the migrations; nothing that serves holds it.
-- Each service, and the key store, connects with a role of its own that may read and write the rows of
-- its own schema and nothing else: it owns no table, so it can neither change a table nor give itself a
-- right a migration took away (the case role may only read and add case events, never change them).
--
-- No role may create temporary objects: a temporary table is searched before any schema unless a search
-- path names pg_temp last, so it is how a caller shadows a table that more privileged code writes
-- (PostgreSQL's manual, CREATE FUNCTION, "Writing SECURITY DEFINER Functions Safely").
-- docket_case_heads cannot log in and owns nothing but the trigger function that moves each case stream's
-- head (services/case/migrations, revision 0008); the migrator is a member only to hand it that function.

REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;

SELECT format('CREATE ROLE %I LOGIN', name)
  FROM (VALUES ('docket_migrator'), ('docket_intake'), ('docket_case'), ('docket_notifier'), ('docket_keystore'))
       AS r(name)
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) \gexec
SELECT 'CREATE ROLE docket_case_heads NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'docket_case_heads')
\gexec
GRANT docket_case_heads TO docket_migrator;

ALTER ROLE docket_migrator PASSWORD :'migrator_password';
ALTER ROLE docket_intake PASSWORD :'intake_password';
ALTER ROLE docket_case PASSWORD :'case_password';
ALTER ROLE docket_notifier PASSWORD :'notifier_password';
ALTER ROLE docket_keystore PASSWORD :'keystore_password';

GRANT CONNECT ON DATABASE :"database"
   TO docket_migrator, docket_intake, docket_case, docket_notifier, docket_keystore;
REVOKE TEMPORARY ON DATABASE :"database"
  FROM docket_migrator, docket_intake, docket_case, docket_notifier, docket_keystore;

SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION docket_migrator', schema),
       format('GRANT USAGE ON SCHEMA %I TO %I', schema, role),
       format('ALTER DEFAULT PRIVILEGES FOR ROLE docket_migrator IN SCHEMA %I '
              'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', schema, role),
       format('ALTER DEFAULT PRIVILEGES FOR ROLE docket_migrator IN SCHEMA %I '
              'GRANT USAGE, SELECT ON SEQUENCES TO %I', schema, role)
  FROM (VALUES ('intake', 'docket_intake'), ('case', 'docket_case'), ('notifier', 'docket_notifier'),
               ('keystore', 'docket_keystore')) AS s(schema, role) \gexec
