"""second-factor secrets stored encrypted

Revision ID: c3bef7b06560
Revises: aafb1de5ee9b
Create Date: 2026-12-07 14:55:32.000000

`user_account.totp_secret` now holds a Fernet token (about 140 characters for a 32-character
secret) under LISTENING_STATE_TOTP_ENCRYPTION_KEYS. The migration cannot know the key, so the
secrets already stored stay in plain text: they still sign in, and are encrypted at their next
accepted code, or all at once by `flask security encrypt-totp-secrets`.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3bef7b06560'
down_revision = 'aafb1de5ee9b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret',
               existing_type=sa.String(length=64),
               type_=sa.String(length=255),
               existing_nullable=True)


def downgrade():
    # The earlier code reads the column as plain base32 and would fail on a token: refuse
    # rather than lose second factors silently.
    encrypted = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM user_account WHERE length(totp_secret) > 64"
    )).scalar_one()
    if encrypted:
        raise RuntimeError(
            f"{encrypted} second-factor secret(s) are encrypted, which the earlier code cannot "
            "read: an administrator resets those accounts' second factor first "
            "(/admin/sign-in-security), and they enrol again after the downgrade."
        )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret',
               existing_type=sa.String(length=255),
               type_=sa.String(length=64),
               existing_nullable=True)
