"""one session table: therapists' and partners' signed-in browsers in browser_sessions

Revision ID: a1d4f7c2e9b3
Revises: 7c4b2e9f1a36
Create Date: 2026-12-17 09:00:00

login_sessions (a therapist's browser after sign-in) and partner_sessions (a browser a partner
opened their link in) had the same columns and the same life: found by the token's hash, kept
alive, deleted on sign-out, "leave quickly" or revocation. browser_sessions holds both: each row
has exactly one owner, therapist_id or link_id, each indexed ("sign out everywhere" deletes by
the one, revoking a link by the other).

Every row is copied with its token hash and times, so browsers signed in before the upgrade stay
signed in, and their idle and absolute limits count from the same moments. Downgrading copies
the rows back into the two tables, so sessions survive that too.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1d4f7c2e9b3'
down_revision = '7c4b2e9f1a36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'browser_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('therapist_id', sa.Integer(), nullable=True),
        sa.Column('link_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(therapist_id IS NULL) <> (link_id IS NULL)', name=op.f('ck_browser_sessions_one_owner')),
        sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'],
                                name=op.f('fk_browser_sessions_therapist_id_therapists'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['link_id'], ['partner_links.id'],
                                name=op.f('fk_browser_sessions_link_id_partner_links'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_browser_sessions_token_hash')),
    )
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browser_sessions_therapist_id'), ['therapist_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_browser_sessions_link_id'), ['link_id'], unique=False)
    # New ids: the two tables' ids overlap, and nothing refers to a session by its id.
    op.execute("INSERT INTO browser_sessions (token_hash, therapist_id, created_at, last_seen_at) "
               "SELECT token_hash, therapist_id, created_at, last_seen_at FROM login_sessions ORDER BY id")
    op.execute("INSERT INTO browser_sessions (token_hash, link_id, created_at, last_seen_at) "
               "SELECT token_hash, link_id, created_at, last_seen_at FROM partner_sessions ORDER BY id")
    with op.batch_alter_table('partner_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_sessions_link_id'))
    op.drop_table('partner_sessions')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_therapist_id'))
    op.drop_table('login_sessions')


def downgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('therapist_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_login_sessions_therapist_id_therapists'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_therapist_id'), ['therapist_id'], unique=False)
    op.create_table(
        'partner_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['partner_links.id'], name=op.f('fk_partner_sessions_link_id_partner_links'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_partner_sessions_token_hash')),
    )
    with op.batch_alter_table('partner_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_sessions_link_id'), ['link_id'], unique=False)
    op.execute("INSERT INTO login_sessions (token_hash, therapist_id, created_at, last_seen_at) "
               "SELECT token_hash, therapist_id, created_at, last_seen_at FROM browser_sessions "
               "WHERE therapist_id IS NOT NULL ORDER BY id")
    op.execute("INSERT INTO partner_sessions (token_hash, link_id, created_at, last_seen_at) "
               "SELECT token_hash, link_id, created_at, last_seen_at FROM browser_sessions "
               "WHERE link_id IS NOT NULL ORDER BY id")
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browser_sessions_link_id'))
        batch_op.drop_index(batch_op.f('ix_browser_sessions_therapist_id'))
    op.drop_table('browser_sessions')
