"""monitoring: covering indexes for the public figures per ministry

Revision ID: c4f1a9d27b35
Revises: eb30ed618270
Create Date: 2026-11-28 03:10:00.000000

The two composite indexes let the monitoring page count from the indexes alone at a million
submissions; each starts with the column of a single-column index it makes redundant.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4f1a9d27b35'
down_revision = 'eb30ed618270'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_handling', ['ministry_id', 'status', 'due_on', 'visibility', 'moderation_reason', 'routed_at', 'answered_at'], unique=False)
        batch_op.create_index('ix_submission_answered_ministry', ['answered_at', 'ministry_id', 'visibility', 'moderation_reason'], unique=False)
        batch_op.drop_index(batch_op.f('ix_submission_ministry_id'))
        batch_op.drop_index(batch_op.f('ix_submission_answered_at'))


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_ministry_id'), ['ministry_id'], unique=False)
        batch_op.drop_index('ix_submission_answered_ministry')
        batch_op.drop_index('ix_submission_handling')
