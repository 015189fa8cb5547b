"""keyed records: a counted, HMAC-chained audit log with a sealed head; notes signed with an HMAC

Revision ID: 6b2e8c4d9f10
Revises: 5c1f0a9e7d21
Create Date: 2026-12-08 09:00:00

Nothing is re-hashed here. The key (RECORDS_KEY, or one derived from SECRET_KEY) lives outside the
database and this migration may run without the app's configuration; and re-chaining or re-signing
what exists would bless any tampering done before it. So:

- Existing audit rows are numbered 1..n in id order and marked `sha256`: verify checks them by the
  old, unkeyed rule. The first row the app writes afterwards is keyed and seals their count (its
  `seq` is n + 1) and their last hash (its `prev_hash`), so from then on they cannot change either.
  audit_head stays empty until that first keyed row creates it.
- Existing signed notes and addenda are marked `sha256`: they verify by the old rule, and only
  when the audit log (sealed as above) records their signing; they are shown as signed before
  keyed signatures. New ones are `hmac-sha256`.
- On PostgreSQL, triggers refuse UPDATE and DELETE on audit_events, and any change to audit_head
  that does not move it forward (the same statements as toolkit/audit/models.py).

Downgrading drops the columns; rows written keyed then fail the old verification.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b2e8c4d9f10'
down_revision = '5c1f0a9e7d21'
branch_labels = None
depends_on = None

KEYED = 'hmac-sha256'
LEGACY = 'sha256'

POSTGRESQL_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit_events is append-only: ' || TG_OP || ' refused',
                          ERRCODE = 'insufficient_privilege';
END
$body$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()""",
    """CREATE OR REPLACE FUNCTION audit_head_refuse_rewind() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION USING MESSAGE = 'audit_head only moves forward: ' || TG_OP || ' refused',
                              ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$body$""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_refuse_rewind()""",
)


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scheme', sa.String(length=16), server_default=KEYED, nullable=False))
    # Every row so far was hashed without a key; number them in the order they were written.
    op.execute(sa.text("UPDATE audit_events SET scheme = :legacy").bindparams(legacy=LEGACY))
    op.execute("UPDATE audit_events SET seq = numbered.n "
               "FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM audit_events) AS numbered "
               "WHERE numbered.id = audit_events.id")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_head_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )

    with op.batch_alter_table('session_notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_scheme', sa.String(length=16), nullable=True))
    op.execute(sa.text("UPDATE session_notes SET hash_scheme = :legacy WHERE signed_at IS NOT NULL")
               .bindparams(legacy=LEGACY))
    with op.batch_alter_table('note_addenda', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hash_scheme', sa.String(length=16), server_default=KEYED, nullable=False))
    op.execute(sa.text("UPDATE note_addenda SET hash_scheme = :legacy").bindparams(legacy=LEGACY))

    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_refuse_change()")
        op.execute("DROP FUNCTION IF EXISTS audit_head_refuse_rewind() CASCADE")
    with op.batch_alter_table('note_addenda', schema=None) as batch_op:
        batch_op.drop_column('hash_scheme')
    with op.batch_alter_table('session_notes', schema=None) as batch_op:
        batch_op.drop_column('hash_scheme')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.drop_column('scheme')
        batch_op.drop_column('seq')
