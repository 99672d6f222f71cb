"""A ministry's inbox through the API: its officers (and administrators) list what was routed
to it and answer, through the same services and rules as the inbox pages."""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import lazy_gettext as _l

from listening_state import authz
from listening_state.api import representations as rep
from listening_state.api.auth import require_user
from listening_state.api.params import (
    body_text,
    json_body,
    page_args,
    query_bool,
    query_choice,
    query_int,
    query_text,
)
from listening_state.models import Ministry, Stance, SubmissionStatus, User
from listening_state.services import answers, deadlines, inbox, ministries, routing, submissions
from listening_state.services.errors import NotFound, PermissionDenied, ValidationFailed
from listening_state.services.inbox import INBOX_STATUSES, Assigned, InboxFilter, Sort

ASSIGNED_CHOICES = (Assigned.ME, Assigned.UNASSIGNED)
MAX_FORWARD_REASON = 1000  # as the page's form


def _ministry(user: User) -> Ministry:
    """The `ministry` asked for by code, or the caller's only one."""
    code = query_text("ministry", max_length=16)
    if code:
        return ministries.get_by_code(code)
    choices = inbox.inbox_ministries(actor=user)
    if not choices:
        raise PermissionDenied("not a ministry officer")
    if len(choices) > 1:
        message = _l("You work for several ministries: give the ministry's code.")
        raise ValidationFailed({"ministry": [str(message)]})
    return choices[0]


def _filters() -> InboxFilter:
    status = query_choice("status", (s.value for s in INBOX_STATUSES))
    stance = query_choice("stance", (s.value for s in Stance))
    return InboxFilter(
        consultation_id=query_int("consultation_id", default=None),
        section_id=query_int("section_id", default=None),
        status=SubmissionStatus(status) if status else None,
        stance=Stance(stance) if stance else None,
        overdue=query_bool("overdue"),
        due_soon=query_bool("due_soon"),
        assigned=query_choice("assigned", ASSIGNED_CHOICES) or Assigned.ANYONE,
        query=query_text("q", max_length=200),
        sort=query_choice("sort", Sort.CHOICES) or Sort.OLDEST,
    )


def list_inbox() -> Response:
    """What was routed to the ministry, filtered and sorted as in the inbox page."""
    user = require_user()
    ministry = _ministry(user)
    filters = _filters()
    page, per_page = page_args()
    today = deadlines.today()
    found = inbox.inbox(
        actor=user, ministry=ministry, filters=filters, on=today, page=page, per_page=per_page
    )
    result = rep.page(found, [rep.inbox_item(s, today) for s in found.items])
    return jsonify({**result, "ministry": rep.ministry(ministry)})


def answer_submission(reference: str) -> tuple[Response, int]:
    """Publish the ministry's answer to one submission; the author is told."""
    user = require_user()
    submission = submissions.find_by_reference(actor=user, reference=reference)
    # Refused before the body is read, so its author learns nothing from a validation error
    # (answers.answer_submissions checks the same rule again when it writes).
    if not authz.can_handle_submission(user, submission):
        raise PermissionDenied("only the responsible ministry answers")
    data = json_body(("body",))
    answers.answer_submissions(actor=user, submissions=[submission], body=body_text(data, "body"))
    return jsonify(rep.inbox_item(submission, deadlines.today())), 200


def forward_submission(reference: str) -> tuple[Response, int]:
    """Send a submission on to the competent ministry, saying why (the author is told)."""
    user = require_user()
    submission = submissions.find_by_reference(actor=user, reference=reference)
    # Refused before the body is read, so its author learns nothing from a validation error.
    routing.require_rerouter(actor=user, submission=submission)
    data = json_body(("ministry", "reason"))
    code, reason = body_text(data, "ministry"), body_text(data, "reason")
    if len(reason) > MAX_FORWARD_REASON:
        message = _l("At most %(n)d characters.", n=MAX_FORWARD_REASON)
        raise ValidationFailed({"reason": [str(message)]})
    try:
        ministry = ministries.get_by_code(code) if len(code) <= 16 else None
    except NotFound:
        ministry = None
    if ministry is None:
        raise ValidationFailed({"ministry": [str(_l("No ministry has this code."))]})
    routing.reroute_submission(actor=user, submission=submission, ministry=ministry, reason=reason)
    return jsonify(rep.inbox_item(submission, deadlines.today())), 200
