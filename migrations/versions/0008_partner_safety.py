"""partner safety: passcodes, policy agreement, check-in safety questions and their flags

Revision ID: 5c1f0a9e7d21
Revises: 900ffb7b1689
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1f0a9e7d21'
down_revision = '900ffb7b1689'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passcode_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('passcode_offered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('policy_agreed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_questions_off_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safety_answers', sa.JSON(), nullable=True))
    with op.batch_alter_table('safety_flags', schema=None) as batch_op:
        batch_op.alter_column('assignment_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('measure_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_safety_flags_measure_id_measures', 'measures', ['measure_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('safety_flags', schema=None) as batch_op:
        batch_op.drop_constraint('fk_safety_flags_measure_id_measures', type_='foreignkey')
        batch_op.drop_column('measure_id')
        batch_op.alter_column('assignment_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_column('safety_answers')
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.drop_column('safety_questions_off_reason')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('policy_agreed_at')
        batch_op.drop_column('passcode_offered_at')
        batch_op.drop_column('passcode_hash')
