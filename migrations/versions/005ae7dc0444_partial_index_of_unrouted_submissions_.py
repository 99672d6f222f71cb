"""partial index of unrouted submissions for the job sweep

Revision ID: 005ae7dc0444
Revises: c3bef7b06560
Create Date: 2026-12-07 19:47:23.527674

The job sweep looks for comments stored but not yet routed on every pass (deferred intake, or a
request that died after storing). Without this index it read every received, unrouted row,
imported comments included (11,080 in the demo); with it, only what waits.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '005ae7dc0444'
down_revision = 'c3bef7b06560'
branch_labels = None
depends_on = None

UNROUTED = "status = 'received' AND ministry_id IS NULL AND source_key IS NULL"


def upgrade():
    op.create_index(
        'ix_submission_unrouted',
        'submission',
        ['id'],
        unique=False,
        postgresql_where=sa.text(UNROUTED),
        sqlite_where=sa.text(UNROUTED),
    )


def downgrade():
    op.drop_index('ix_submission_unrouted', table_name='submission')
