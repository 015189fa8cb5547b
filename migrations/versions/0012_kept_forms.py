"""kept forms: each assignment keeps the form it was given and answered on

Revision ID: 7c4b2e9f1a36
Revises: 3e7a9c1d5b20
Create Date: 2026-12-16 09:00:00

form_versions holds each homework form's definition once, by the SHA-256 of its canonical JSON;
assignments.form_digest points at the form as it was assigned. Assignments made before this
revision have no digest: the first read keeps the library's form of that day (toolkit/homework/
versions.py), so their answers no longer depend on the module file once read.

Downgrading drops both; the pages then read today's module files again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4b2e9f1a36'
down_revision = '3e7a9c1d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_versions',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('template_key', sa.String(length=161), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_form_versions')),
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_digest', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_form_digest_form_versions'), 'form_versions',
                                    ['form_digest'], ['digest'])


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_form_digest_form_versions'), type_='foreignkey')
        batch_op.drop_column('form_digest')
    op.drop_table('form_versions')
