"""citizens' client addresses leave the audit log

Revision ID: b7d41c2e9a10
Revises: 005ae7dc0444
Create Date: 2026-12-08 00:20:00.000000

The audit log now keeps the client address of officials' acts only (see
`services.audit._client_address`). Entries written before that by a citizen, or by an anonymous
request on a citizen's account, lose their address here, deleted accounts' included: the log is
never rewritten otherwise, so this is the one chance to erase them. The append-only trigger is
lifted for this one statement and put back as it was (its SQL frozen here, as migrations must be).
Nothing else in an entry changes, and a downgrade cannot bring the addresses back.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = '005ae7dc0444'
branch_labels = None
depends_on = None

# Accounts with no role but "citizen" (deleted accounts hold no roles at all).
_CITIZENS = """SELECT id FROM user_account WHERE id NOT IN
    (SELECT user_id FROM role_grant WHERE role <> 'citizen')"""
ERASE_CITIZENS_ADDRESSES = f"""UPDATE audit_entry SET ip = ''
WHERE ip <> '' AND (
    actor_id IN ({_CITIZENS})
    OR (actor_id IS NULL AND target_type = 'user_account' AND target_id IN ({_CITIZENS}))
)"""

_APPEND_ONLY = "audit_entry is append-only"
UPDATE_TRIGGER = {
    "sqlite": (
        "DROP TRIGGER audit_entry_no_update",
        f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
    ),
    "postgresql": (
        "DROP TRIGGER audit_entry_append_only ON audit_entry",
        """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    ),
}


def upgrade():
    drop, create = UPDATE_TRIGGER.get(op.get_bind().dialect.name, (None, None))
    if drop:
        op.execute(drop)
    op.execute(ERASE_CITIZENS_ADDRESSES)
    if create:
        op.execute(create)


def downgrade():
    pass  # erased addresses cannot come back, and the schema did not change
