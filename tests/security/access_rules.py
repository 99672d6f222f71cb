"""Who may open each endpoint: the declarative table the authorisation matrix checks.

Each endpoint maps to one `Access` rule. A rule names the roles allowed (they get `ok`), what
the other signed-in roles get (`denied`: 403, or 404 where the object is hidden by design),
what an anonymous visitor gets (`LOGIN`: a redirect to the sign-in page; 401 for the API), and
any role whose answer differs for a stated reason (`but`).

A new endpoint has no entry here, and the matrix test fails naming it: decide who may use it,
add it below, and the test checks it for every role.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

LOGIN: Final = "302 to sign-in"  # anonymous visitors are sent to /login?next=...
REDIRECT: Final = "302"  # a redirect somewhere other than the sign-in page
Outcome = int | str

ROLES = (
    "anonymous",
    "citizen",  # also the author of "this" ministry's submission
    "council_member",  # of "this" ministry's Public Council
    "other_council_member",
    "officer",  # of "this" ministry
    "other_officer",
    "admin",
)
SIGNED_IN_ROLES = frozenset(ROLES) - {"anonymous"}


@dataclass(frozen=True)
class Access:
    allowed: frozenset[str]
    ok: Outcome = 200
    denied: Outcome = 403
    anonymous: Outcome = LOGIN
    exceptions: dict[str, Outcome] = field(default_factory=dict)

    def but(self, **per_role: Outcome) -> Access:
        """The same rule with some roles answered differently (say why beside the entry)."""
        return replace(self, exceptions={**self.exceptions, **per_role})

    def expected(self, role: str) -> Outcome:
        if role in self.exceptions:
            return self.exceptions[role]
        if role == "anonymous":
            return self.ok if role in self.allowed else self.anonymous
        return self.ok if role in self.allowed else self.denied

    def allows(self, role: str) -> bool:
        return role in self.allowed


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


PUBLIC = Access(frozenset(ROLES))
SIGNED_IN = Access(SIGNED_IN_ROLES)
GUESTS = Access(frozenset(ROLES), exceptions=dict.fromkeys(SIGNED_IN_ROLES, REDIRECT))
ADMIN = Access(_roles("admin"))
THIS_MINISTRY = Access(_roles("officer", "admin"))
ANY_MINISTRY = Access(_roles("officer", "other_officer", "admin"))
ANY_COUNCIL = Access(_roles("council_member", "other_council_member", "admin"))
# The ministry's officers, its council's members and administrators.
STAFF_OF_THIS_BODY = Access(_roles("council_member", "officer", "admin"))
# A submission: its author, the ministry it is routed to and administrators; hidden (404)
# from everyone else, so that a reference cannot be probed.
SUBMISSION_READERS = Access(_roles("citizen", "officer", "admin"), denied=404)
# The API authenticates by token only: anonymous callers get 401, never a sign-in page.
API_PUBLIC = Access(frozenset(ROLES))
API_SIGNED_IN = Access(SIGNED_IN_ROLES, anonymous=401)


TABLE: dict[str, Access] = {
    "static": PUBLIC,
    "main.home": PUBLIC,
    "main.set_language": PUBLIC.but(**dict.fromkeys(ROLES, REDIRECT)),
    "health.healthz": PUBLIC,
    # Signing in and registering are for visitors; the signed-in are sent home.
    "auth.login": GUESTS,
    "auth.register": GUESTS,
    # The second-factor step only exists between password and code: anyone else starts again.
    "auth.login_code": PUBLIC.but(**dict.fromkeys(ROLES, LOGIN)),
    "auth.logout": SIGNED_IN.but(anonymous=200),  # the GET page asks for confirmation
    "auth.change_password": SIGNED_IN,
    "auth.two_factor": SIGNED_IN,
    "auth.two_factor_disable": SIGNED_IN,
    "auth.recovery_codes_new": SIGNED_IN,
    "auth.admin_security": ADMIN,
    "auth.admin_unlock": ADMIN,
    "auth.admin_reset_two_factor": ADMIN,
    "account.settings": SIGNED_IN,
    "account.export": SIGNED_IN,
    "account.delete": SIGNED_IN,
    "tokens.index": SIGNED_IN,
    # A token is its owner's: anyone else's request finds no such token.
    "tokens.revoke": Access(_roles("citizen"), denied=404),
    "consultations.index": PUBLIC,
    "consultations.detail": PUBLIC,
    "consultations.comment": SIGNED_IN,
    "reports.show": PUBLIC,
    "reports.printable": PUBLIC,
    "reports.edit": THIS_MINISTRY,
    "reports.withdraw": THIS_MINISTRY,
    "councils.index": PUBLIC,
    "councils.detail": PUBLIC,
    "councils.meeting": PUBLIC,
    "councils.document": PUBLIC,
    "monitoring.index": PUBLIC,
    "monitoring.export_csv": PUBLIC,
    "monitoring.export_json": PUBLIC,
    "monitoring.schema": PUBLIC,
    "monitoring.schema_json": PUBLIC,
    "moderation.rules": PUBLIC,
    "moderation.queue": ANY_COUNCIL,
    # Any signed-in reader may report a comment; the form's answer is a redirect back.
    "moderation.flag": SIGNED_IN,
    # Only a rejected comment is edited again: readers of this published one are sent back.
    "moderation.resubmit": SUBMISSION_READERS.but(
        citizen=REDIRECT, officer=REDIRECT, admin=REDIRECT
    ),
    "submissions.mine": SIGNED_IN,
    "submissions.detail": SUBMISSION_READERS,
    "submissions.confirmation": Access(_roles("citizen"), denied=404),  # the author's receipt
    "routing.triage": ADMIN,
    "routing.router": ADMIN,
    "routing.activate": ADMIN,
    # Sending a submission on: the ministry it is routed to; others cannot see it (404).
    # The author sees the submission but may not send it on (403).
    "routing.reroute": Access(THIS_MINISTRY.allowed, denied=404).but(citizen=403),
    # An officer's only inbox opens at once; administrators choose among all.
    "inbox.choose": THIS_MINISTRY.but(officer=REDIRECT, other_officer=REDIRECT),
    "inbox.queue": THIS_MINISTRY,
    "inbox.item": THIS_MINISTRY,
    "inbox.export_csv": THIS_MINISTRY,
    "inbox.export_xlsx": THIS_MINISTRY,
    "inbox.review": THIS_MINISTRY,
    "inbox.answer": THIS_MINISTRY,
    "inbox.close": THIS_MINISTRY,
    "inbox.extend": THIS_MINISTRY,
    "inbox.assign": THIS_MINISTRY,
    "inbox.templates": THIS_MINISTRY,
    "inbox.edit_template": THIS_MINISTRY,
    "inbox.delete_template": THIS_MINISTRY,
    "manage.consultations_index": ANY_MINISTRY,
    "manage.consultation_new": ANY_MINISTRY,
    "manage.consultation_edit": THIS_MINISTRY,
    "manage.consultation_action": THIS_MINISTRY,
    "manage.council": STAFF_OF_THIS_BODY,
    "manage.meeting_add": STAFF_OF_THIS_BODY,
    "manage.meeting_edit": STAFF_OF_THIS_BODY,
    "manage.document_upload": STAFF_OF_THIS_BODY,
    "manage.document_delete": STAFF_OF_THIS_BODY,
    "manage.recommendation_new": STAFF_OF_THIS_BODY,
    "manage.recommendation_edit": STAFF_OF_THIS_BODY,
    "manage.recommendation_answer": THIS_MINISTRY,  # members cannot answer for the ministry
    "manage.member_add": STAFF_OF_THIS_BODY,
    "manage.member_edit": ADMIN,  # who sits on a council: administrators only
    "manage.member_end": ADMIN,
    "manage.member_remove": ADMIN,
    "themes.dashboard": STAFF_OF_THIS_BODY,
    "themes.theme": STAFF_OF_THIS_BODY,
    "themes.campaign": STAFF_OF_THIS_BODY,
    "themes.export_csv": STAFF_OF_THIS_BODY,
    "themes.export_xlsx": STAFF_OF_THIS_BODY,
    "themes.job": STAFF_OF_THIS_BODY,
    "themes.rebuild": THIS_MINISTRY,  # members read the themes but do not start the work
    "themes.publish": THIS_MINISTRY,
    "audit.index": ADMIN,
    "audit.export": ADMIN,
    "calendar.index": ADMIN,
    "calendar.remove": ADMIN,
    "outbox.index": ADMIN,
    "outbox.retry": ADMIN,
    "api_v1.openapi": API_PUBLIC,
    "api_v1.list_ministries": API_PUBLIC,
    "api_v1.list_consultations": API_PUBLIC,
    "api_v1.get_consultation": API_PUBLIC,
    "api_v1.list_published_submissions": API_PUBLIC,
    "api_v1.get_published_themes": API_PUBLIC,
    "api_v1.create_submission": API_SIGNED_IN,
    "api_v1.list_my_submissions": API_SIGNED_IN,
    "api_v1.get_submission": Access(SUBMISSION_READERS.allowed, denied=404, anonymous=401),
    "api_v1.list_inbox": Access(THIS_MINISTRY.allowed, anonymous=401),
    # Answering and sending on: the ministry it is routed to; others cannot see it (404), and
    # its author, who can, is refused (403) before the body is read.
    "api_v1.answer_submission": Access(THIS_MINISTRY.allowed, denied=404, anonymous=401).but(
        citizen=403
    ),
    "api_v1.forward_submission": Access(THIS_MINISTRY.allowed, denied=404, anonymous=401).but(
        citizen=403
    ),
}
