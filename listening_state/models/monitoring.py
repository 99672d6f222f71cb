"""The monitoring rollup: counts per ministry that the public monitoring page reads.

A few thousand rows stand for a million submissions. They are not a cache: every change to a
submission updates them in the same transaction (services/monitoring_upkeep.py), so they are
always exactly what counting the submissions would give. Only submissions with a responsible
ministry are counted, spam excluded. A row whose counts fall to zero is removed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from listening_state.models.base import Model, enum_column
from listening_state.models.submission import SubmissionStatus


class MinistryStatusStat(Model):
    """Submissions per ministry and status: received (all of them) and answered."""

    __tablename__ = "ministry_status_stat"

    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), primary_key=True)
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus), primary_key=True
    )
    submissions: Mapped[int] = mapped_column(Integer)


class MinistryOpenDue(Model):
    """Submissions still waiting (neither answered nor closed) per ministry and due date: the
    overdue ones today are those due before today, however today moves."""

    __tablename__ = "ministry_open_due"

    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    submissions: Mapped[int] = mapped_column(Integer)


class MinistryAnswerStat(Model):
    """Answered submissions per ministry and whole days from routing to answer: the histogram
    the median days to answer is read from, with how many had a due date and met it."""

    __tablename__ = "ministry_answer_stat"

    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), primary_key=True)
    days_to_answer: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer)
    with_deadline: Mapped[int] = mapped_column(Integer)
    within_deadline: Mapped[int] = mapped_column(Integer)


class MinistryAnswerWeek(Model):
    """Answers per ministry and week (Monday to Sunday, Kazakhstan time), for the chart."""

    __tablename__ = "ministry_answer_week"

    ministry_id: Mapped[int] = mapped_column(ForeignKey("ministry.id"), primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
