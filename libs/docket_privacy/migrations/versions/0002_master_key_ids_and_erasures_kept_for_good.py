"""each key names the master key that wraps it; erasures are markers the key store's role cannot take back

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08

`subject_keys` holds live keys only, each with the id of the master key that wraps it: the keys wrapped so far
were wrapped under the single KEYSTORE_MASTER_KEY, whose id is `initial` (docket_privacy.masterkeys). Erased
subjects move to `erasures`, where UPDATE, DELETE and TRUNCATE are refused by a trigger (whoever runs them)
and revoked from the roles granted them, the migrator included. A key cannot be made, nor moved, for a subject
with a marker; a key being made and a marker being added for one subject wait for each other (a lock per
subject), so that neither slips past the other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INITIAL = "initial"


def _schema() -> str:
    schema: str = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    return schema


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "erasures",
        sa.Column("subject_id", sa.Uuid, primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("erased_by", sa.String, nullable=True),
    )
    op.execute(
        "INSERT INTO erasures (subject_id, erased_at, erased_by) "
        "SELECT subject_id, erased_at, erased_by FROM subject_keys WHERE erased_at IS NOT NULL"
    )
    op.execute("DELETE FROM subject_keys WHERE erased_at IS NOT NULL")
    op.drop_constraint("ck_subject_keys_erased_means_no_key", "subject_keys", type_="check")
    op.drop_column("subject_keys", "erased_at")
    op.drop_column("subject_keys", "erased_by")
    op.alter_column("subject_keys", "wrapped_key", nullable=False)
    op.add_column(
        "subject_keys", sa.Column("master_key_id", sa.String, nullable=False, server_default=sa.literal(INITIAL))
    )
    op.alter_column("subject_keys", "master_key_id", server_default=None)

    op.execute(f"""
        CREATE FUNCTION "{schema}".erasures_kept() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            RAISE EXCEPTION 'an erasure is for good: % on erasures is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute(
        "CREATE TRIGGER erasures_kept BEFORE UPDATE OR DELETE ON erasures "
        f'FOR EACH ROW EXECUTE FUNCTION "{schema}".erasures_kept()'
    )
    op.execute(
        "CREATE TRIGGER erasures_no_truncate BEFORE TRUNCATE ON erasures "
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".erasures_kept()'
    )
    # The lock a key being made and a marker being added take for their subject, until their transaction ends.
    op.execute(f"""
        CREATE FUNCTION "{schema}".subject_lock() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended('docket keystore ' || NEW.subject_id::text, 0));
            RETURN NEW;
        END $$""")
    op.execute(
        "CREATE TRIGGER erasures_lock BEFORE INSERT ON erasures "
        f'FOR EACH ROW EXECUTE FUNCTION "{schema}".subject_lock()'
    )
    op.execute(f"""
        CREATE FUNCTION "{schema}".no_key_once_erased() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended('docket keystore ' || NEW.subject_id::text, 0));
            IF EXISTS (SELECT FROM "{schema}".erasures WHERE subject_id = NEW.subject_id) THEN
                RAISE EXCEPTION 'subject % was erased: it never gets a key again', NEW.subject_id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute(
        "CREATE TRIGGER subject_keys_not_erased BEFORE INSERT OR UPDATE ON subject_keys "
        f'FOR EACH ROW EXECUTE FUNCTION "{schema}".no_key_once_erased()'
    )
    for function in ("erasures_kept", "subject_lock", "no_key_once_erased"):
        op.execute(f'REVOKE ALL ON FUNCTION "{schema}".{function}() FROM PUBLIC')
    op.execute("""
        DO $$
        DECLARE serving text;
        BEGIN
            FOR serving IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                           WHERE table_schema = current_schema() AND table_name = 'erasures'
                             AND grantee NOT IN (current_user, 'PUBLIC')
            LOOP
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON erasures FROM %I', serving);
            END LOOP;
        END $$""")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON erasures FROM CURRENT_USER")


def downgrade() -> None:
    schema = _schema()
    op.execute("GRANT UPDATE, DELETE, TRUNCATE ON erasures TO CURRENT_USER")
    op.execute("DROP TRIGGER subject_keys_not_erased ON subject_keys")
    op.execute("DROP TRIGGER erasures_lock ON erasures")
    op.execute("DROP TRIGGER erasures_no_truncate ON erasures")
    op.execute("DROP TRIGGER erasures_kept ON erasures")
    for function in ("erasures_kept", "subject_lock", "no_key_once_erased"):
        op.execute(f'DROP FUNCTION "{schema}".{function}()')
    op.drop_column("subject_keys", "master_key_id")
    op.alter_column("subject_keys", "wrapped_key", nullable=True)
    op.add_column("subject_keys", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("subject_keys", sa.Column("erased_by", sa.String, nullable=True))
    op.create_check_constraint(
        "ck_subject_keys_erased_means_no_key", "subject_keys", "(wrapped_key IS NULL) = (erased_at IS NOT NULL)"
    )
    op.execute(
        "INSERT INTO subject_keys (subject_id, wrapped_key, erased_at, erased_by) "
        "SELECT subject_id, NULL, erased_at, erased_by FROM erasures"
    )
    op.drop_table("erasures")
