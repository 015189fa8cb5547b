"""reliable writes: each session number once per couple; one-time keys of creating forms

Revision ID: 3e7a9c1d5b20
Revises: 8d3f5a1c2b47
Create Date: 2026-12-15 09:00:00

Session numbers were max + 1 without a lock, so on PostgreSQL two sessions added at once could
share a number. Before the unique constraint goes on, such duplicates are renumbered: the first
session written (lowest id) keeps its number, any later one gets the couple's next free number.
No signature covers a session's number (a note's seal covers its session, couple and date), so
signed notes keep verifying; their printed "session n" follows the new number.

submission_keys holds, for each creating form sent, its one-time key and the page showing what it
created (toolkit/forms.py SubmittedOnce).

Downgrading drops both; renumbered sessions keep their new numbers.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e7a9c1d5b20'
down_revision = '8d3f5a1c2b47'
branch_labels = None
depends_on = None


def upgrade():
    _renumber_duplicate_sessions()
    with op.batch_alter_table('therapy_sessions', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_therapy_sessions_couple_id'), ['couple_id', 'number'])
    op.create_table(
        'submission_keys',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('endpoint', sa.String(length=80), nullable=False),
        sa.Column('redirect_url', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_submission_keys')),
    )


def downgrade():
    op.drop_table('submission_keys')
    with op.batch_alter_table('therapy_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_therapy_sessions_couple_id'), type_='unique')


def _renumber_duplicate_sessions():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, couple_id, number FROM therapy_sessions ORDER BY couple_id, id")).all()
    taken, highest, moved = {}, {}, []
    for row in rows:
        highest[row.couple_id] = max(highest.get(row.couple_id, 0), row.number)
    for row in rows:
        numbers = taken.setdefault(row.couple_id, set())
        if row.number in numbers:
            highest[row.couple_id] += 1
            moved.append({"id": row.id, "number": highest[row.couple_id]})
            numbers.add(highest[row.couple_id])
        else:
            numbers.add(row.number)
    if moved:
        conn.execute(sa.text("UPDATE therapy_sessions SET number = :number WHERE id = :id"), moved)
