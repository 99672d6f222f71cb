"""The public figures of a report: counted by section and position, only what the public sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from listening_state.authz import SYSTEM
from listening_state.models import ModerationReason, Stance
from listening_state.services import answers, moderation, reports
from tests.factories import make_routed_submission
from tests.inbox.conftest import government_answers
from tests.reports.conftest import Cast, approve, close, comment, pre_moderated, real_comment
from tests.statements import recorded_statements


@pytest.fixture
def moderated(cast: Cast) -> Iterator[Any]:
    """A pre-moderated consultation: what is approved counts, nothing else does."""
    consultation = pre_moderated(cast.ministry)
    whole = [comment(consultation, s) for s in (Stance.SUPPORT, Stance.SUPPORT, Stance.OPPOSE)]
    first = [comment(consultation, s, 0) for s in (Stance.MIXED, Stance.SUPPORT)]
    answered = make_routed_submission(
        consultation, cast.ministry, body=real_comment(), stance=Stance.OPPOSE, section_index=0
    )
    approve(*whole, *first, answered)
    answers.answer_submissions(
        actor=cast.officer, submissions=[answered], body=government_answers()[0]
    )
    # Left out of the public figures: awaiting moderation, rejected, and spam.
    comment(consultation, Stance.SUPPORT, 1)
    off_topic = comment(consultation, Stance.OPPOSE, 1)
    spam = comment(consultation, Stance.OPPOSE)
    moderation.reject(actor=SYSTEM, submission=off_topic, reason=ModerationReason.OFF_TOPIC)
    moderation.reject(actor=SYSTEM, submission=spam, reason=ModerationReason.SPAM)
    close(consultation)
    return consultation


def test_figures_count_published_comments_by_section_and_stance(moderated: Any) -> None:
    first, second = (s.id for s in moderated.sections)
    figures = reports.heard_figures(moderated)
    assert dict(figures.whole_draft.counts) == {Stance.SUPPORT: 2, Stance.OPPOSE: 1}
    assert figures.whole_draft.total == 3
    section = figures.for_section(first)
    assert dict(section.counts) == {Stance.MIXED: 1, Stance.SUPPORT: 1, Stance.OPPOSE: 1}
    assert (section.total, section.answered) == (3, 1)
    assert figures.for_section(second).total == 0
    assert dict(figures.overall.counts) == {Stance.SUPPORT: 3, Stance.OPPOSE: 2, Stance.MIXED: 1}
    assert (figures.overall.total, figures.overall.answered) == (6, 1)


def test_pending_rejected_and_spam_comments_are_not_counted(moderated: Any) -> None:
    second = moderated.sections[1].id
    figures = reports.heard_figures(moderated)
    assert figures.for_section(second).total == 0  # one pending, one rejected as off-topic
    assert figures.whole_draft.count(Stance.OPPOSE) == 1  # the spam is not the second


def test_rows_list_every_position_with_shares_and_bar_widths(moderated: Any) -> None:
    rows = reports.heard_figures(moderated).whole_draft.rows()
    assert [row.stance for row in rows] == list(Stance)
    shares = {row.stance: (row.count, row.percent, row.bar) for row in rows}
    assert shares[Stance.SUPPORT] == (2, 67, 65)
    assert shares[Stance.OPPOSE] == (1, 33, 35)
    assert shares[Stance.NO_POSITION] == (0, 0, 0)


def test_a_consultation_without_comments_has_zero_figures(cast: Cast) -> None:
    close(cast.consultation)
    figures = reports.heard_figures(cast.consultation)
    assert figures.overall.total == 0
    assert all(row.percent == 0 and row.bar == 0 for row in figures.overall.rows())


def test_figures_take_one_query_whatever_the_number_of_comments(moderated: Any) -> None:
    assert moderated.sections  # loaded before counting
    with recorded_statements() as statements:
        reports.heard_figures(moderated)
    assert len(statements) == 1
    assert "GROUP BY" in statements[0]
