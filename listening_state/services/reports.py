"""Consultation reports, "you said, we did": what the public said and what the ministry did.

Once a consultation has closed, its ministry writes a report: for the draft as a whole and for
each section, what it heard (the public figures, and its own notes) and what it did with the
draft. Publishing the report moves the consultation to "report published"; corrections after
that keep it published and go to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    ConsultationReport,
    ConsultationStatus,
    ReportOutcome,
    ReportSection,
    Stance,
    Submission,
    User,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_plain_text
from listening_state.services import audit
from listening_state.services.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

MAX_REPORT_TEXT = 10_000
MIN_WITHDRAW_REASON, MAX_WITHDRAW_REASON = 5, 1000
# "And why": an outcome short of a full change must be explained.
NEEDS_EXPLANATION = (ReportOutcome.NOT_CHANGED, ReportOutcome.PARTLY_CHANGED)
# Reports are written once the comment period is over, and corrected after publication.
REPORTABLE = (ConsultationStatus.CLOSED, ConsultationStatus.REPORT_PUBLISHED)
NO_OUTCOME = _l(
    "Say what was done: choose an outcome for the draft as a whole or for at least one section."
)
NOT_EXPLAINED = _l("Explain why the draft was not changed, or not fully.")
SECTIONS_CHANGED = _l("The draft's sections have changed since the page was opened; reload it.")


# -- what was heard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StanceShare:
    """One row of a figures table: how many comments took this position, and their share."""

    stance: Stance
    count: int
    percent: int  # rounded, for the text
    bar: int  # the share rounded to a multiple of 5, for the bar's width class


@dataclass(frozen=True)
class StanceCounts:
    """Published comments of one part of the draft, by position, and how many were answered."""

    counts: Mapping[Stance, int] = field(default_factory=dict)
    answered: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, stance: Stance) -> int:
        return self.counts.get(stance, 0)

    def rows(self) -> list[StanceShare]:
        """Every position in a fixed order, zeros included, so tables line up across sections."""
        total = self.total
        return [
            StanceShare(
                stance=stance,
                count=self.count(stance),
                percent=round(100 * self.count(stance) / total) if total else 0,
                bar=5 * round(20 * self.count(stance) / total) if total else 0,
            )
            for stance in Stance
        ]


@dataclass(frozen=True)
class HeardFigures:
    """The public figures of a consultation: the whole draft, each section, and all together."""

    whole_draft: StanceCounts  # comments on the draft as a whole (no section)
    sections: Mapping[int, StanceCounts]  # by section id, every section of the draft
    overall: StanceCounts

    def for_section(self, section_id: int) -> StanceCounts:
        return self.sections.get(section_id, StanceCounts())


def heard_figures(consultation: Consultation) -> HeardFigures:
    """Published comments counted by section and position in one GROUP BY query.

    Only what the public can read is counted (comments awaiting moderation, rejected ones and
    spam are left out), so the published figures never reveal moderated-out content.
    """
    stmt = (
        select(
            Submission.section_id,
            Submission.stance,
            func.count(Submission.id),
            func.count(Submission.id).filter(Submission.answer_id.is_not(None)),
        )
        .where(
            Submission.consultation_id == consultation.id,
            Submission.visibility == Visibility.PUBLISHED,
        )
        .group_by(Submission.section_id, Submission.stance)
    )
    by_part: dict[int | None, dict[Stance, int]] = defaultdict(dict)
    answered: dict[int | None, int] = defaultdict(int)
    # At most (sections + 1) x 4 grouped rows: one per part of the draft and position.
    for section_id, stance, count, answered_count in db.session.execute(stmt):
        by_part[section_id][stance] = int(count)
        answered[section_id] += int(answered_count)
    overall: dict[Stance, int] = defaultdict(int)
    for counts in by_part.values():
        for stance, count in counts.items():
            overall[stance] += count
    return HeardFigures(
        whole_draft=StanceCounts(by_part.get(None, {}), answered.get(None, 0)),
        sections={
            s.id: StanceCounts(by_part.get(s.id, {}), answered.get(s.id, 0))
            for s in consultation.sections
        },
        overall=StanceCounts(dict(overall), sum(answered.values())),
    )


# -- reading -----------------------------------------------------------------------------------


def can_prepare_report(actor: Actor, consultation: Consultation) -> bool:
    """The consultation's ministry and administrators, once the comment period is over."""
    return authz.can_manage_consultation(actor, consultation) and (
        consultation.status() in REPORTABLE
    )


def _report_of(consultation: Consultation) -> ConsultationReport | None:
    return db.session.scalar(
        select(ConsultationReport).where(ConsultationReport.consultation_id == consultation.id)
    )


def published_report(consultation: Consultation) -> ConsultationReport | None:
    """The report the public may read, if there is one."""
    report = _report_of(consultation)
    return report if report is not None and report.published_at is not None else None


def readable_report(*, actor: Actor, consultation: Consultation) -> ConsultationReport:
    """A published report for everyone; a draft only for those who write it (a preview)."""
    report = _report_of(consultation)
    if report is None:
        raise NotFound("report")
    if report.published_at is None and not authz.can_manage_consultation(actor, consultation):
        raise NotFound("report")
    return report


def ordered_sections(report: ConsultationReport) -> list[ReportSection]:
    """The report's sections in the draft's order."""
    return sorted(report.sections, key=lambda entry: entry.section.position)


# -- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionInput:
    section_id: int
    heard: str = ""
    outcome: ReportOutcome | None = None
    explanation: str = ""


@dataclass(frozen=True)
class ReportInput:
    """What the ministry writes; sections not listed keep what they had."""

    summary: str = ""
    outcome: ReportOutcome | None = None
    explanation: str = ""
    sections: Sequence[SectionInput] = ()


def _require_writer(actor: Actor, consultation: Consultation) -> None:
    if not authz.can_manage_consultation(actor, consultation):
        raise PermissionDenied("only the consultation's ministry and administrators report")


def _add_missing_sections(report: ConsultationReport, consultation: Consultation) -> None:
    present = {entry.section_id for entry in report.sections}
    for section in consultation.sections:
        if section.id not in present:
            report.sections.append(ReportSection(section=section))


def prepare_report(*, actor: Actor, consultation: Consultation) -> ConsultationReport:
    """The consultation's report, created empty (one entry per section) on the first visit."""
    _require_writer(actor, consultation)
    if consultation.status() not in REPORTABLE:
        raise InvalidTransition("a report is written once the consultation has closed")
    report = _report_of(consultation)
    if report is not None:
        if len(report.sections) != len(consultation.sections):
            _add_missing_sections(report, consultation)
            db.session.commit()
        return report
    report = ConsultationReport(
        consultation=consultation, author_id=actor.id if isinstance(actor, User) else None
    )
    _add_missing_sections(report, consultation)
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:
        # A colleague opened the report at the same moment and created it first: use theirs.
        db.session.rollback()
        existing = _report_of(consultation)
        if existing is None:
            raise
        return existing
    audit.record(
        actor=actor,
        action="consultation_report.create",
        target=report,
        target_label=report.consultation.title,
    )
    db.session.commit()
    return report


def _clean(text: str, field_name: str, errors: dict[str, list[str]]) -> str:
    cleaned = clean_plain_text(text)
    if len(cleaned) > MAX_REPORT_TEXT:
        errors[field_name] = [
            str(_l("Keep this text to at most %(max)d characters.", max=MAX_REPORT_TEXT))
        ]
    return cleaned


def section_key(section_id: int, field_name: str) -> str:
    """How errors name a field of one section: `sections.<section id>.<field>`."""
    return f"sections.{section_id}.{field_name}"


def _state(report: ConsultationReport) -> dict[str, object]:
    """The whole report as plain JSON, for the audit log's before and after."""
    return {
        "published": report.published_at is not None,
        "summary": report.summary,
        "outcome": report.outcome.value if report.outcome else None,
        "explanation": report.explanation,
        "sections": {
            str(entry.section_id): {
                "heard": entry.heard,
                "outcome": entry.outcome.value if entry.outcome else None,
                "explanation": entry.explanation,
            }
            for entry in report.sections
        },
    }


def update_report(
    *, actor: Actor, report: ConsultationReport, data: ReportInput
) -> ConsultationReport:
    """Save the ministry's text; a published report must stay complete and is corrected openly."""
    _require_writer(actor, report.consultation)
    errors: dict[str, list[str]] = {}
    entries = {entry.section_id: entry for entry in report.sections}
    if any(given.section_id not in entries for given in data.sections):
        errors["report"] = [str(SECTIONS_CHANGED)]
    summary = _clean(data.summary, "summary", errors)
    explanation = _clean(data.explanation, "explanation", errors)
    cleaned = [
        (
            entries[given.section_id],
            _clean(given.heard, section_key(given.section_id, "heard"), errors),
            given.outcome,
            _clean(given.explanation, section_key(given.section_id, "explanation"), errors),
        )
        for given in data.sections
        if given.section_id in entries
    ]
    if not errors and report.published_at is not None:
        # A correction may not leave the public report without what it must say.
        decided = {
            entry.section_id: (entry.outcome, entry.explanation) for entry in entries.values()
        }
        decided.update({entry.section_id: (o, e) for entry, _, o, e in cleaned})
        errors = _missing_decisions(data.outcome, explanation, decided)
    if errors:
        raise ValidationFailed(errors)
    before = _state(report)
    report.summary, report.outcome, report.explanation = summary, data.outcome, explanation
    for entry, heard, outcome, section_explanation in cleaned:
        entry.heard, entry.outcome, entry.explanation = heard, outcome, section_explanation
    after = _state(report)
    if after != before:
        report.author_id = actor.id if isinstance(actor, User) else report.author_id
        published = report.published_at is not None
        audit.record(
            actor=actor,
            action="consultation_report.correct" if published else "consultation_report.update",
            target=report,
            target_label=report.consultation.title,
            before=before,
            after=after,
        )
    db.session.commit()
    return report


def _missing_decisions(
    outcome: ReportOutcome | None,
    explanation: str,
    sections: Mapping[int, tuple[ReportOutcome | None, str]],
) -> dict[str, list[str]]:
    """What a report still lacks: what was done (somewhere), and why wherever the draft was not
    fully changed. `sections` maps a section id to its outcome and explanation."""
    errors: dict[str, list[str]] = {}
    if outcome is None and all(o is None for o, _ in sections.values()):
        errors["report"] = [str(NO_OUTCOME)]
    why = str(NOT_EXPLAINED)
    if outcome in NEEDS_EXPLANATION and not explanation.strip():
        errors["explanation"] = [why]
    for section_id, (section_outcome, section_explanation) in sections.items():
        if section_outcome in NEEDS_EXPLANATION and not section_explanation.strip():
            errors[section_key(section_id, "explanation")] = [why]
    return errors


def publish_report(*, actor: Actor, report: ConsultationReport) -> None:
    """Make the report public; the consultation becomes "report published" in the same commit."""
    consultation = report.consultation
    _require_writer(actor, consultation)
    if report.published_at is not None:
        raise InvalidTransition("the report is already published")
    if consultation.status() is not ConsultationStatus.CLOSED:
        raise InvalidTransition("a report is published once the consultation has closed")
    errors = _missing_decisions(
        report.outcome,
        report.explanation,
        {entry.section_id: (entry.outcome, entry.explanation) for entry in report.sections},
    )
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    # Same instant for both, so the page can tell later corrections from the publication.
    report.published_at = report.updated_at = now
    consultation.report_published_at = now
    audit.record(
        actor=actor,
        action="consultation_report.publish",
        target=report,
        target_label=report.consultation.title,
        before={"published": False},
        after=_state(report),
    )
    db.session.commit()


def withdraw_report(*, actor: Actor, report: ConsultationReport, reason: str) -> None:
    """Take a published report back to a draft, with a reason; the consultation is closed again."""
    _require_writer(actor, report.consultation)
    if report.published_at is None:
        raise InvalidTransition("the report is not published")
    reason = clean_plain_text(reason)
    if not MIN_WITHDRAW_REASON <= len(reason) <= MAX_WITHDRAW_REASON:
        message = _l(
            "Give a reason of %(min)d to %(max)d characters.",
            min=MIN_WITHDRAW_REASON,
            max=MAX_WITHDRAW_REASON,
        )
        raise ValidationFailed({"reason": [str(message)]})
    report.published_at = None
    report.consultation.report_published_at = None
    audit.record(
        actor=actor,
        action="consultation_report.withdraw",
        target=report,
        target_label=report.consultation.title,
        before={"published": True},
        after={"published": False},
        reason=reason,
    )
    db.session.commit()
