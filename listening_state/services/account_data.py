"""A citizen's own data: everything the platform holds about an account, as one JSON document.

The export is built in memory, not streamed. A citizen has at most a few thousand rows (their
submissions, flags and e-mails), a few megabytes of JSON at worst; building it whole reads every
table inside one transaction, so the document is one consistent picture, and a failure half-way
gives a clean error page instead of a truncated file the citizen might take for complete.

What refers to an account, and what happens to it. Every foreign key to ``user_account.id``
(``grep -rn 'ForeignKey("user_account.id"' listening_state/models``) and the audit log's
``actor_id`` (no foreign key) is listed here; ``tests/account_data`` fails when a new one is not:

=====================================  ========================  ==================================
table.column                           export                    account deletion
=====================================  ========================  ==================================
role_grant.user_id                     ``roles``                 deleted (only citizens self-delete)
api_token.user_id                      ``api_tokens`` (name,     deleted: a token must never work
                                       prefix, dates; no hash)   for an erased account
recovery_code.user_id                  counted in                deleted, like the second factor
                                       ``second_factor``
outbox_message.recipient_id            ``messages``              deleted, pending, sent and failed:
                                                                 each holds the address and name
submission.author_id                   ``submissions``, with     kept: public records, text as sent;
                                       the routing, moderation   the public sees "Deleted account"
                                       and answer they see
submission_flag.user_id                ``flags``                 kept: moderation counts and the
                                                                 one-report-per-reader rule rely on
                                                                 it; the row names no one any more
submission.assigned_to_id              counted in ``references`` cleared: nobody can work it
council_member.user_id                 counted                   unlinked; the member's name stays
                                                                 on the council's public roster
submission.moderated_by_id,            counted                   kept: official acts of the body,
answer.author_id,                                                now made by an account that holds
consultation.created_by_id,                                      no personal data (staff cannot
consultation_report.author_id,                                   self-delete while they hold a
routing_decision.actor_id,                                       role, see account_deletion)
meeting_document.uploaded_by_id,
council_recommendation.answered_by_id,
theme_build.published_by_id,
background_job.requested_by_id
audit_entry.actor_id (no key)          ``audit.by_you`` (other   kept as it is: the log is append-
                                       accounts' labels left     only by design (and by trigger);
                                       out), ``audit.about_you`` past entries keep the e-mail they
                                       without the other actor   were written with
=====================================  ========================  ==================================

Secrets never leave: not the password hash, the second factor's secret or last step, nor token
hashes, nor recovery code hashes; the export says only whether a second factor is on and how
many recovery codes are used and left. Another person's personal data is
left out too: audit entries about the account omit who made them.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Column, ColumnElement, ForeignKey, and_, func, or_, select
from sqlalchemy.orm import defer, selectinload

from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Answer,
    ApiToken,
    AuditEntry,
    Consultation,
    Flag,
    Ministry,
    OutboxMessage,
    RoutingDecision,
    RoutingSource,
    Submission,
    SubmissionStatus,
    User,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.services import deadlines, recovery_codes
from listening_state.services.errors import PermissionDenied

EXPORT_FORMAT = "listening-state-account-export"
EXPORT_VERSION = 1
# Stored as the display name of an erased account, for any page that shows names as stored;
# pages shown to the public say it in the reader's language (`public_author_name`).
DELETED_DISPLAY_NAME = "Deleted account"

# Where each reference to an account is handled (see the table above); the tests compare it
# with the schema, so a new table that refers to users needs a decision before it ships.
USER_REFERENCES: dict[str, str] = {
    "role_grant.user_id": "deleted",
    "api_token.user_id": "deleted",
    "recovery_code.user_id": "deleted",
    "outbox_message.recipient_id": "deleted",
    "submission.author_id": "kept",
    "submission_flag.user_id": "kept",
    "submission.assigned_to_id": "cleared",
    "council_member.user_id": "cleared",
    "submission.moderated_by_id": "kept",
    "answer.author_id": "kept",
    "consultation.created_by_id": "kept",
    "consultation_report.author_id": "kept",
    "routing_decision.actor_id": "kept",
    "meeting_document.uploaded_by_id": "kept",
    "council_recommendation.answered_by_id": "kept",
    "theme_build.published_by_id": "kept",
    "background_job.requested_by_id": "kept",
}


def public_author_name(submission: Submission) -> str:
    """The name readers see beside a comment, in their language."""
    author = submission.author
    if author is None:
        return submission.author_label or str(_("Anonymous"))
    if author.deleted_at is not None:
        return str(_("Deleted account"))
    return author.display_name


def user_reference_columns() -> list[Column[Any]]:
    """Every column of the schema with a foreign key to the account table."""
    return [
        column
        for table in db.metadata.sorted_tables
        for column in table.columns
        if any(_refers_to_users(key) for key in column.foreign_keys)
    ]


def _refers_to_users(key: ForeignKey) -> bool:
    return key.target_fullname == "user_account.id"


# -- the export ----------------------------------------------------------------------------------


def _require_holder(actor: Actor, user: User) -> None:
    if not (isinstance(actor, User) and actor.id == user.id and user.deleted_at is None):
        raise PermissionDenied("only the account holder downloads the account's data")


def _plain(value: Any) -> Any:
    """JSON-ready: enums by value, timestamps and days as ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _ministry(ministry: Ministry | None, language: str) -> dict[str, str] | None:
    return None if ministry is None else {"code": ministry.code, "name": ministry.name(language)}


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "preferred_language": user.preferred_language,
        "notify_by_email": user.notify_by_email,
        "created_at": _plain(user.created_at),
        "second_factor": {
            "enabled": user.totp_enabled_at is not None,
            "enabled_at": _plain(user.totp_enabled_at),
            "recovery_codes": {
                "unused": recovery_codes.remaining(user),
                "used": recovery_codes.used(user),
            },
        },
        "sign_in_protection": {
            "failed_sign_ins_in_a_row": user.failed_sign_ins or 0,
            "locked_until": _plain(user.locked_until),
        },
    }


def _roles(user: User, language: str) -> list[dict[str, Any]]:
    return [
        {
            "role": grant.role.value,
            "ministry": _ministry(grant.ministry, language),
            "council": grant.council.name(language) if grant.council else None,
            "granted_at": _plain(grant.granted_at),
        }
        for grant in sorted(user.roles, key=lambda g: g.id)
    ]


def _routing_step(decision: RoutingDecision, language: str) -> dict[str, Any]:
    """One step of the routing history, as the author's page shows it: the router's scores and
    the people involved are the ministry's working data, not the author's."""
    return {
        "at": _plain(decision.created_at),
        "how": decision.source.value,
        "from_ministry": _ministry(decision.from_ministry, language),
        "to_ministry": _ministry(decision.to_ministry, language),
        "reason": decision.reason if decision.source is not RoutingSource.MODEL else "",
    }


def _submission(s: Submission, language: str) -> dict[str, Any]:
    consultation = s.consultation
    hidden = s.visibility is Visibility.HIDDEN
    answered = s.answer is not None and s.status is SubmissionStatus.ANSWERED
    return {
        "reference": s.reference,
        "sent_at": _plain(s.created_at),
        "consultation": {
            "id": consultation.id,
            "title": consultation.title,
            "ministry": _ministry(consultation.ministry, language),
        },
        "section": s.section.heading if s.section else None,
        "stance": s.stance.value,
        "language": s.language,
        "text": s.body,
        "masked_for_the_public": s.personal_data_found(),
        "status": s.status.value,
        "visibility": s.visibility.value,
        "moderation": {
            "reason": _plain(s.moderation_reason) if hidden else None,
            "note": s.moderation_note if hidden else "",
            "decided_at": _plain(s.moderated_at),
            "corrected_and_sent_again_at": _plain(s.resubmitted_at),
        },
        "responsible_ministry": _ministry(s.ministry, language),
        "due_on": _plain(s.due_on),
        "deadline_extended": {"at": _plain(s.extended_at), "reason": s.extension_reason}
        if s.extended_at
        else None,
        "answer": {
            "ministry": _ministry(s.answer.ministry, language),
            "text": s.answer.body,
            "at": _plain(s.answered_at or s.answer.created_at),
        }
        if answered and s.answer is not None
        else None,
        "closed_without_answer": s.closed_reason
        if s.status is SubmissionStatus.CLOSED and s.closed_reason
        else None,
        "routing_history": [_routing_step(d, language) for d in s.routing_history],
    }


def _submissions(user: User, language: str) -> list[dict[str, Any]]:
    stmt = (
        select(Submission)
        .where(Submission.author_id == user.id)
        .order_by(Submission.created_at, Submission.id)
        .options(
            # The moderators' hints and the router's scores are not the author's data.
            defer(Submission.duplicate_candidates),
            selectinload(Submission.consultation).selectinload(Consultation.ministry),
            selectinload(Submission.section),
            selectinload(Submission.ministry),
            selectinload(Submission.answer).selectinload(Answer.ministry),
            selectinload(Submission.routing_history).options(
                defer(RoutingDecision.suggestions),
                selectinload(RoutingDecision.from_ministry),
                selectinload(RoutingDecision.to_ministry),
            ),
        )
    )
    return [_submission(s, language) for s in db.session.scalars(stmt)]


def _flags(user: User) -> list[dict[str, Any]]:
    stmt = (
        select(Flag, Submission.reference)
        .join(Submission, Submission.id == Flag.submission_id)
        .where(Flag.user_id == user.id)
        .order_by(Flag.created_at, Flag.id)
    )
    return [
        {
            "submission": reference,
            "reason": flag.reason.value,
            "note": flag.note,
            "at": _plain(flag.created_at),
            "resolved_at": _plain(flag.resolved_at),
        }
        for flag, reference in db.session.execute(stmt)
    ]


def messages_to(user: User) -> ColumnElement[bool]:
    """The outbox rows addressed to the account: the outbox links every message to its
    recipient (an indexed column; the address is not indexed and says nothing more)."""
    return OutboxMessage.recipient_id == user.id


def _messages(user: User) -> list[dict[str, Any]]:
    stmt = (
        select(OutboxMessage, Submission.reference)
        .outerjoin(Submission, Submission.id == OutboxMessage.submission_id)
        .where(messages_to(user))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    return [
        {
            "kind": message.kind,
            "to": message.to_address,
            "subject": message.subject,
            "text": message.body_text,
            "language": message.language,
            "status": message.status.value,
            "submission": reference,
            "queued_at": _plain(message.created_at),
            "sent_at": _plain(message.sent_at),
        }
        for message, reference in db.session.execute(stmt)
    ]


def _api_tokens(user: User) -> list[dict[str, Any]]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return [
        {
            "name": token.name,
            "prefix": token.prefix,
            "created_at": _plain(token.created_at),
            "last_used_at": _plain(token.last_used_at),
            "revoked_at": _plain(token.revoked_at),
        }
        for token in db.session.scalars(stmt)
    ]


def _audit(user: User) -> dict[str, list[dict[str, Any]]]:
    by_you = db.session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
    )
    about_you = db.session.scalars(
        select(AuditEntry)
        .where(
            and_(AuditEntry.target_type == User.__tablename__, AuditEntry.target_id == user.id),
            or_(AuditEntry.actor_id.is_(None), AuditEntry.actor_id != user.id),
        )
        .order_by(AuditEntry.id)
    )

    def entry(e: AuditEntry, *, own: bool) -> dict[str, Any]:
        # An administrator's entries about other accounts are labelled with their e-mail.
        someone_else = e.target_type == User.__tablename__ and e.target_id != user.id
        row = {
            "at": _plain(e.at),
            "action": e.action,
            "target": {
                "type": e.target_type,
                "id": e.target_id,
                "label": "" if someone_else else e.target_label,
            },
            "before": e.before,
            "after": e.after,
            "reason": e.reason,
        }
        # The address a request came from is the requester's data; not the other person's.
        return {**row, "from_address": e.ip} if own else row

    return {
        "by_you": [entry(e, own=True) for e in by_you],
        "about_you": [entry(e, own=False) for e in about_you],
    }


def _references(user: User) -> dict[str, int]:
    """How many rows of each table refer to the account, whatever their section above."""
    counts: dict[str, int] = {}
    for column in user_reference_columns():
        count = db.session.scalar(
            select(func.count()).select_from(column.table).where(column == user.id)
        )
        counts[f"{column.table.name}.{column.name}"] = int(count or 0)
    return counts


def export_account(*, actor: Actor, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything the platform holds about the account, for its holder only."""
    _require_holder(actor, user)
    language = user.preferred_language
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _plain(now or utcnow()),
        "account": _account(user),
        "roles": _roles(user, language),
        "submissions": _submissions(user, language),
        "flags": _flags(user),
        "messages": _messages(user),
        "api_tokens": _api_tokens(user),
        "audit": _audit(user),
        "references": _references(user),
    }


def export_json(document: dict[str, Any]) -> bytes:
    """The document as UTF-8 JSON; Kazakh and Russian text stays readable, not \\u-escaped."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def export_filename(user: User, now: datetime | None = None) -> str:
    return f"listening-state-{user.id}-{deadlines.local_date(now or utcnow()).isoformat()}.json"
