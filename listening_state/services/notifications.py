"""E-mails to citizens about their submissions: routed, forwarded, answered, extended, moderated.

Each is composed in the author's preferred language and queued in the outbox inside the commit
of the change it reports (the calling service commits). Nothing is queued when a submission has
no author, the author has no e-mail address, or they turned notifications off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import lazyload
from werkzeug.routing import MapAdapter

from listening_state.extensions import db
from listening_state.models import (
    Ministry,
    RoutingDecision,
    RoutingSource,
    Submission,
    User,
    Visibility,
)
from listening_state.services import outbox


class Kind:
    """The `kind` of an outbox message: the event it reports."""

    ROUTED = "routed"
    FORWARDED = "forwarded"
    ANSWERED = "answered"
    EXTENDED = "extended"
    PUBLISHED = "published"
    REJECTED = "rejected"
    DIGEST = "digest"
    ALL = (ROUTED, FORWARDED, ANSWERED, EXTENDED, PUBLISHED, REJECTED, DIGEST)


# -- shared with the digest ----------------------------------------------------------------------


def language_of(user: User) -> str:
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if user.preferred_language in languages:
        return user.preferred_language
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _url_adapter() -> MapAdapter:
    """Build links for e-mails from PUBLIC_BASE_URL: jobs have no request to take a host from."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )


class Links:
    """Absolute links to pages of the site, for one batch of messages."""

    def __init__(self) -> None:
        self._adapter = _url_adapter()

    def __call__(self, endpoint: str, anchor: str = "", **values: Any) -> str:
        url = self._adapter.build(endpoint, values, force_external=True)
        return f"{url}#{anchor}" if anchor else url


def render(kind: str, **context: Any) -> str:
    """The text body from templates/email/<kind>.txt (plain text: autoescape is off for .txt,
    and no HTML is ever written into these templates)."""
    template = current_app.jinja_env.get_template(f"email/{kind}.txt")
    return template.render(**context).strip() + "\n"


# -- citizens' notifications -----------------------------------------------------------------


def _authors_to_tell(submissions: Sequence[Submission]) -> dict[int, User]:
    """The authors who want e-mail, loaded in one query whatever the number of submissions."""
    ids = {s.author_id for s in submissions if s.author_id is not None}
    if not ids:
        return {}
    stmt = (
        select(User)
        .where(
            User.id.in_(ids),
            User.notify_by_email.is_(True),
            User.email != "",
            User.deleted_at.is_(None),  # erased accounts have no address to write to
        )
        .options(lazyload(User.roles))  # roles play no part in a notification
    )
    return {user.id: user for user in db.session.scalars(stmt)}


Composer = Callable[[Submission, User, Links], tuple[str, dict[str, Any]]]


def _queue_for_authors(kind: str, submissions: Sequence[Submission], compose: Composer) -> int:
    """Queue one message per submission whose author wants it; returns how many."""
    authors = _authors_to_tell(submissions)
    by_language: dict[str, list[tuple[Submission, User]]] = {}
    for submission in submissions:
        author = authors.get(submission.author_id or 0)
        if author is not None:
            by_language.setdefault(language_of(author), []).append((submission, author))
    links = Links()
    for language, pairs in by_language.items():
        with force_locale(language):  # translations, dates and ministry names
            for submission, author in pairs:
                subject, context = compose(submission, author, links)
                body = render(
                    kind,
                    submission=submission,
                    recipient=author,
                    submission_url=links("submissions.detail", reference=submission.reference),
                    settings_url=links("account.settings"),
                    **context,
                )
                outbox.queue(
                    kind=kind,
                    recipient=author,
                    subject=subject,
                    body_text=body,
                    language=language,
                    submission_id=submission.id,
                )
    return sum(len(pairs) for pairs in by_language.values())


def _ministry(ministry_id: int | None) -> Ministry | None:
    # By id, not through the relationship, which may still hold the ministry before a forward.
    return db.session.get(Ministry, ministry_id) if ministry_id is not None else None


def _ministry_name(ministry_id: int | None, language: str) -> str:
    ministry = _ministry(ministry_id)
    return ministry.name(language) if ministry is not None else "—"


def notify_routing(submission: Submission, decision: RoutingDecision) -> int:
    """A routing decision that gave the submission a ministry: routed, or forwarded onwards.
    A decision that sent it to triage says nothing to the citizen yet."""
    if decision.to_ministry_id is None:
        return 0
    if decision.source is RoutingSource.REROUTE:
        return notify_forwarded([submission], reason=decision.reason)
    return notify_routed([submission])


def notify_routed(submissions: Sequence[Submission]) -> int:
    def compose(submission: Submission, author: User, links: Links) -> tuple[str, dict[str, Any]]:
        ministry = _ministry_name(submission.ministry_id, language_of(author))
        subject = _(
            "Your submission %(reference)s was sent to %(ministry)s",
            reference=submission.reference,
            ministry=ministry,
        )
        return subject, {"ministry": ministry}

    return _queue_for_authors(Kind.ROUTED, submissions, compose)


def notify_forwarded(submissions: Sequence[Submission], *, reason: str) -> int:
    def compose(submission: Submission, author: User, links: Links) -> tuple[str, dict[str, Any]]:
        ministry = _ministry_name(submission.ministry_id, language_of(author))
        subject = _(
            "Your submission %(reference)s was forwarded to %(ministry)s",
            reference=submission.reference,
            ministry=ministry,
        )
        return subject, {
            "ministry": ministry,
            "reason": reason,
            "forward_days": int(current_app.config["FORWARD_WORKING_DAYS"]),
        }

    return _queue_for_authors(Kind.FORWARDED, submissions, compose)


def notify_answered(submissions: Sequence[Submission]) -> int:
    def compose(submission: Submission, author: User, links: Links) -> tuple[str, dict[str, Any]]:
        answer = submission.answer
        ministry_id = answer.ministry_id if answer is not None else submission.ministry_id
        ministry = _ministry_name(ministry_id, language_of(author))
        subject = _(
            "%(ministry)s answered your submission %(reference)s",
            ministry=ministry,
            reference=submission.reference,
        )
        return subject, {"ministry": ministry, "answer": answer.body if answer else ""}

    return _queue_for_authors(Kind.ANSWERED, submissions, compose)


def notify_extended(submission: Submission) -> int:
    def compose(submission: Submission, author: User, links: Links) -> tuple[str, dict[str, Any]]:
        ministry = _ministry_name(submission.ministry_id, language_of(author))
        subject = _(
            "More time to answer your submission %(reference)s",
            reference=submission.reference,
        )
        return subject, {"ministry": ministry}

    return _queue_for_authors(Kind.EXTENDED, [submission], compose)


def notify_moderated(submissions: Sequence[Submission]) -> int:
    """Published or rejected, as each submission now stands; pending ones say nothing."""
    published = [s for s in submissions if s.visibility is Visibility.PUBLISHED]
    rejected = [s for s in submissions if s.visibility is Visibility.HIDDEN]

    def published_mail(
        submission: Submission, author: User, links: Links
    ) -> tuple[str, dict[str, Any]]:
        subject = _("Your comment %(reference)s is published", reference=submission.reference)
        consultation_url = links("consultations.detail", consultation_id=submission.consultation_id)
        return subject, {"consultation_url": consultation_url}

    def rejected_mail(
        submission: Submission, author: User, links: Links
    ) -> tuple[str, dict[str, Any]]:
        subject = _(
            "Your comment %(reference)s is not shown publicly", reference=submission.reference
        )
        reason = submission.moderation_reason
        return subject, {
            "rules_url": links(
                "moderation.rules", anchor=f"rule-{reason.value}" if reason is not None else ""
            ),
            "can_correct": (
                submission.resubmitted_at is None and submission.consultation.is_open()
            ),
        }

    return _queue_for_authors(Kind.PUBLISHED, published, published_mail) + _queue_for_authors(
        Kind.REJECTED, rejected, rejected_mail
    )
