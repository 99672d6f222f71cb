"""Benchmark the public monitoring page at a million submissions: a table, then one JSON line.

    .venv/bin/python bench/monitoring.py [--rows 1000000] [--pg-url URL] [--runs 7]
                                         [--skip-sqlite] [--skip-postgresql] [--data DIR]

Generates realistic handling data (20 ministries with different volumes and answer speeds,
statuses, routing, answers, deadlines and extensions over two years, spam, consultations,
reports, council recommendations) into a temporary SQLite file and into the PostgreSQL
database given by --pg-url (its public schema is dropped and rebuilt: never point it at
data you want to keep). Each schema is built by the real migrations, so the real indexes are
measured. Rows go in by bulk insert (executemany on SQLite, COPY on PostgreSQL), which bypasses
the ORM and so the monitoring rollup's upkeep: `flask monitoring rebuild-rollup` then recounts
it, timed, as after any bulk load.

Then, per backend, with no cache: GET /monitoring through the Flask test client several times
(server time: median and max), the figures queries alone, and the CSV and JSON downloads.
Submission bodies are real Pol.is comments (CC BY 4.0) from ../shared/data, so rows have a
realistic width. The target is the issue's: the page in under 300 ms.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from listening_state import create_app  # noqa: E402
from listening_state.extensions import db  # noqa: E402

SEED = 0
TARGET_MS = 300.0
N_MINISTRIES = 20
HISTORY_DAYS = 730
ZONE = ZoneInfo("Asia/Almaty")
BATCH = 50_000
SUBMISSION_COLUMNS = (
    "id",
    "reference",
    "consultation_id",
    "author_label",
    "body",
    "stance",
    "language",
    "status",
    "visibility",
    "created_at",
    "ministry_id",
    "routing_confidence",
    "personal_data_kinds",
    "moderation_reason",
    "moderation_note",
    "open_flag_count",
    "duplicate_candidates",
    "routed_at",
    "due_on",
    "extended_at",
    "extension_reason",
    "answered_at",
    "closed_reason",
)
MINISTRY_NAMES = (
    ("MNE", "Ұлттық экономика министрлігі", "Министерство национальной экономики",
     "Ministry of National Economy"),
    ("MF", "Қаржы министрлігі", "Министерство финансов", "Ministry of Finance"),
    ("MZ", "Денсаулық сақтау министрлігі", "Министерство здравоохранения", "Ministry of Health"),
    ("MP", "Оқу-ағарту министрлігі", "Министерство просвещения", "Ministry of Education"),
    ("MNVO", "Ғылым және жоғары білім министрлігі", "Министерство науки и высшего образования",
     "Ministry of Science and Higher Education"),
    ("MTSZN", "Еңбек және халықты әлеуметтік қорғау министрлігі",
     "Министерство труда и социальной защиты населения",
     "Ministry of Labour and Social Protection"),
    ("MVD", "Ішкі істер министрлігі", "Министерство внутренних дел",
     "Ministry of Internal Affairs"),
    ("MU", "Әділет министрлігі", "Министерство юстиции", "Ministry of Justice"),
    ("MSH", "Ауыл шаруашылығы министрлігі", "Министерство сельского хозяйства",
     "Ministry of Agriculture"),
    ("MEPR", "Экология және табиғи ресурстар министрлігі",
     "Министерство экологии и природных ресурсов",
     "Ministry of Ecology and Natural Resources"),
    ("ME", "Энергетика министрлігі", "Министерство энергетики", "Ministry of Energy"),
    ("MT", "Көлік министрлігі", "Министерство транспорта", "Ministry of Transport"),
    ("MPS", "Өнеркәсіп және құрылыс министрлігі", "Министерство промышленности и строительства",
     "Ministry of Industry and Construction"),
    ("MTI", "Сауда және интеграция министрлігі", "Министерство торговли и интеграции",
     "Ministry of Trade and Integration"),
    ("MCRIAP", "Цифрлық даму министрлігі", "Министерство цифрового развития",
     "Ministry of Digital Development"),
    ("MKI", "Мәдениет және ақпарат министрлігі", "Министерство культуры и информации",
     "Ministry of Culture and Information"),
    ("MTS", "Туризм және спорт министрлігі", "Министерство туризма и спорта",
     "Ministry of Tourism and Sports"),
    ("MCHS", "Төтенше жағдайлар министрлігі", "Министерство по чрезвычайным ситуациям",
     "Ministry of Emergency Situations"),
    ("MID", "Сыртқы істер министрлігі", "Министерство иностранных дел",
     "Ministry of Foreign Affairs"),
    ("MVR", "Су ресурстары және ирригация министрлігі",
     "Министерство водных ресурсов и ирригации",
     "Ministry of Water Resources and Irrigation"),
)  # fmt: skip


# ------------------------------------------------------------------------- generated data


@dataclass
class Dataset:
    now: datetime
    ministries: list[tuple[Any, ...]]
    councils: list[tuple[Any, ...]]
    consultations: list[tuple[Any, ...]]
    recommendations: list[tuple[Any, ...]]
    submissions: dict[str, np.ndarray]  # one array per SUBMISSION_COLUMNS entry
    rows: int
    expected: dict[str, int]  # totals counted here, that the page must show


def real_bodies(data: Path) -> list[str]:
    """Real consultation comments (Pol.is, CC BY 4.0) as submission bodies."""
    bodies: list[str] = []
    for path in sorted((data / "polis").glob("*/comments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            bodies.extend(
                row["comment-body"].strip()
                for row in csv.DictReader(handle)
                if len(row["comment-body"].strip()) >= 10
            )
    if not bodies:
        raise SystemExit(f"no Pol.is comments under {data / 'polis'}: pass --data")
    return bodies


def _reference(n: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    chars = []
    for _ in range(8):
        n, rest = divmod(n, 36)
        chars.append(alphabet[rest])
    code = "".join(reversed(chars))
    return f"LS-{code[:4]}-{code[4:]}"


def _days(values: np.ndarray) -> np.ndarray:
    return (values * 86_400_000_000).astype("timedelta64[us]")


def generate(rows: int, bodies: list[str], due_after: Callable[[date], date]) -> Dataset:
    """Everything the monitoring page counts, seeded; `due_after` is the statutory deadline."""
    rng = np.random.default_rng(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    now64 = np.datetime64(now.replace(tzinfo=None), "us")
    ministries = [(i + 1, *names, "") for i, names in enumerate(MINISTRY_NAMES)]
    # Volumes follow a long tail; each ministry answers at its own pace and diligence.
    weights = 1 / np.arange(1, N_MINISTRIES + 1) ** 0.8
    weights /= weights.sum()
    median_answer_days = rng.uniform(4, 30, N_MINISTRIES)
    close_rate = rng.uniform(0.03, 0.10, N_MINISTRIES)
    neglect_rate = rng.uniform(0.005, 0.08, N_MINISTRIES)

    councils = [
        (m + 1, "ministry", m + 1, "", f"{k} Қоғамдық кеңесі", f"Общественный совет: {r}",
         f"Public Council of the {e}", "", now)
        for m, (_, k, r, e) in enumerate(MINISTRY_NAMES[:18])
    ]  # fmt: skip
    recommendations = []
    statuses = ("issued", "accepted", "partly_accepted", "rejected")
    for council_id in range(1, len(councils) + 1):
        for _ in range(int(rng.integers(20, 80))):
            issued = now - timedelta(days=float(rng.uniform(0, HISTORY_DAYS)))
            status = statuses[int(rng.choice(4, p=(0.3, 0.3, 0.2, 0.2)))]
            answered = None if status == "issued" else issued + timedelta(days=30)
            recommendations.append(
                (len(recommendations) + 1, council_id, "Recommendation", "Text of it.",
                 issued.astimezone(ZONE).date(), status, "", answered, issued)
            )  # fmt: skip

    consultations = []
    by_ministry: list[list[int]] = []
    for m in range(N_MINISTRIES):
        own = []
        for _ in range(int(rng.integers(40, 150))):
            opens = now - timedelta(days=float(rng.uniform(-20, HISTORY_DAYS + 30)))
            closes = opens + timedelta(days=float(rng.integers(20, 46)))
            published = None if rng.random() < 0.05 else opens - timedelta(days=2)
            report = None
            ready = closes + timedelta(days=float(rng.uniform(10, 60)))
            if published is not None and ready <= now and rng.random() < 0.6:
                report = ready
            consultation_id = len(consultations) + 1
            council = m + 1 if m < len(councils) else None
            consultations.append(
                (consultation_id, m + 1, council, f"Draft act {consultation_id}", "", "ru",
                 opens, closes, published, report, published or opens, published or opens, "",
                 "", "none", "", "post")
            )  # fmt: skip
            own.append(consultation_id)
        by_ministry.append(own)

    ministry = rng.choice(N_MINISTRIES, size=rows, p=weights)
    age_days = HISTORY_DAYS * rng.random(rows) ** 1.3  # more recent activity than old
    created = now64 - _days(age_days)
    triage_wait = np.where(rng.random(rows) < 0.2, rng.uniform(0.5, 3, rows), 0.0)
    routed = created + _days(rng.exponential(0.1, rows) + triage_wait)
    waiting_triage = (age_days < 10) & (rng.random(rows) < 0.3)
    routed_ok = ~waiting_triage & (routed <= now64)
    waiting_triage |= ~routed_ok

    routed_local_days = (routed + np.timedelta64(5, "h")).astype("datetime64[D]")
    distinct = np.unique(routed_local_days[routed_ok])
    deadlines = np.array([np.datetime64(due_after(d.astype(date)), "D") for d in distinct])
    due = deadlines[np.clip(np.searchsorted(distinct, routed_local_days), 0, len(distinct) - 1)]
    extended = routed_ok & (rng.random(rows) < 0.05)
    due = np.where(extended, due + rng.integers(5, 21, rows).astype("timedelta64[D]"), due)

    delay = rng.lognormal(np.log(median_answer_days[ministry]), 0.7)
    answered_at = routed + _days(delay)
    closed = rng.random(rows) < close_rate[ministry]
    neglected = rng.random(rows) < neglect_rate[ministry]
    answered = routed_ok & ~closed & ~neglected & (answered_at <= now64)
    closed &= routed_ok & (routed + _days(delay / 2) <= now64)

    status = np.full(rows, "routed", dtype=object)
    still_open = routed_ok & ~answered & ~closed
    status[still_open & (rng.random(rows) < 0.4)] = "in_review"
    status[still_open & (rng.random(rows) < 0.05)] = "forwarded"
    status[answered] = "answered"
    status[closed] = "closed"
    status[waiting_triage] = "needs_triage"

    spam = rng.random(rows) < 0.02
    other_hidden = ~spam & (rng.random(rows) < 0.02)
    visibility = np.full(rows, "published", dtype=object)
    visibility[spam | other_hidden] = "hidden"
    visibility[~spam & ~other_hidden & (rng.random(rows) < 0.03)] = "pending"
    reason = np.full(rows, None, dtype=object)
    reason[spam] = "spam"
    reason[other_hidden] = "off_topic"

    consultation = np.array([by_ministry[m][int(rng.integers(len(by_ministry[m])))]
                             for m in ministry])  # fmt: skip
    body_index = rng.integers(len(bodies), size=rows)
    body_pool = np.array(bodies, dtype=object)
    submissions = {
        "id": np.arange(1, rows + 1),
        "reference": np.array([_reference(n) for n in range(rows)], dtype=object),
        "consultation_id": consultation,
        "author_label": np.full(rows, "", dtype=object),
        "body": body_pool[body_index],
        "stance": np.array(("support", "oppose", "mixed", "no_position"), dtype=object)[
            rng.choice(4, size=rows, p=(0.35, 0.35, 0.2, 0.1))
        ],
        "language": np.array(("kk", "ru", "en"), dtype=object)[rng.integers(3, size=rows)],
        "status": status,
        "visibility": visibility,
        "created_at": created,
        "ministry_id": np.where(waiting_triage, -1, ministry + 1),
        "routing_confidence": rng.uniform(0.3, 1, rows),
        "personal_data_kinds": np.full(rows, "", dtype=object),
        "moderation_reason": reason,
        "moderation_note": np.full(rows, "", dtype=object),
        "open_flag_count": np.zeros(rows, dtype=int),
        "duplicate_candidates": np.full(rows, "[]", dtype=object),
        "routed_at": np.where(routed_ok, routed, np.datetime64("NaT", "us")),
        "due_on": np.where(routed_ok, due, np.datetime64("NaT", "D")),
        "extended_at": np.where(extended, routed + _days(np.full(rows, 5.0)), np.datetime64("NaT")),
        "extension_reason": np.where(extended, "More time is needed to consult.", ""),
        "answered_at": np.where(answered, answered_at, np.datetime64("NaT", "us")),
        "closed_reason": np.where(closed, "Not a matter for the ministry.", ""),
    }
    # What the page must show in total, counted from the arrays: submissions with a ministry
    # (spam excluded), answered, and still waiting past their due date today (local time).
    counted = routed_ok & ~spam
    today = np.datetime64(now.astimezone(ZONE).date(), "D")
    expected = {
        "received": int(counted.sum()),
        "answered": int((counted & (status == "answered")).sum()),
        "overdue": int((counted & ~np.isin(status, ("answered", "closed")) & (due < today)).sum()),
    }
    return Dataset(
        now, ministries, councils, consultations, recommendations, submissions, rows, expected
    )


# ------------------------------------------------------------------------------ loading


def _timestamps(values: np.ndarray) -> list[str | None]:
    """UTC timestamps as SQLAlchemy stores them on SQLite (naive, microseconds)."""
    text_values = np.datetime_as_string(values.astype("datetime64[us]"), unit="us")
    missing = np.isnat(values)
    return [
        None if gone else s.replace("T", " ") for s, gone in zip(text_values, missing, strict=True)
    ]


def _submission_batches(data: Dataset, postgres: bool) -> Iterator[list[tuple[Any, ...]]]:
    columns = data.submissions
    for start in range(0, data.rows, BATCH):
        part = slice(start, min(start + BATCH, data.rows))
        values: list[list[Any]] = []
        for name in SUBMISSION_COLUMNS:
            array = columns[name][part]
            if array.dtype.kind == "M" and name == "due_on":
                values.append([None if np.isnat(d) else str(d) for d in array])
            elif array.dtype.kind == "M":
                stamps = _timestamps(array)
                values.append([s + "+00" if s and postgres else s for s in stamps])
            elif name == "ministry_id":
                values.append([None if m < 0 else int(m) for m in array])
            else:
                values.append(array.tolist())
        yield list(zip(*values, strict=True))


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _small_tables(data: Dataset) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    return [
        ("ministry", ("id", "code", "name_kk", "name_ru", "name_en", "mandate"), data.ministries),
        (
            "public_council",
            ("id", "kind", "ministry_id", "region", "name_kk", "name_ru", "name_en",
             "description", "created_at"),
            data.councils,
        ),
        (
            "consultation",
            ("id", "ministry_id", "council_id", "title", "summary", "language", "opens_at",
             "closes_at", "published_at", "report_published_at", "created_at", "updated_at",
             "search_text", "title_sort_key", "demo_source", "source_url", "moderation_mode"),
            data.consultations,
        ),
        (
            "council_recommendation",
            ("id", "council_id", "title", "text", "issued_on", "status", "ministry_answer",
             "answered_at", "created_at"),
            data.recommendations,
        ),
    ]  # fmt: skip


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_sqlite(path: Path, data: Dataset) -> None:
    connection = sqlite3.connect(path)
    with connection:
        for table, names, rows in _small_tables(data):
            marks = ", ".join("?" for _ in names)
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",  # noqa: S608
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )
        marks = ", ".join("?" for _ in SUBMISSION_COLUMNS)
        statement = f"INSERT INTO submission ({', '.join(SUBMISSION_COLUMNS)}) VALUES ({marks})"  # noqa: S608
        for batch in _submission_batches(data, postgres=False):
            connection.executemany(statement, batch)
    connection.close()


def load_postgresql(url: str, data: Dataset) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        with connection.cursor() as cursor:
            for table, names, rows in _small_tables(data):
                with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            columns = ", ".join(SUBMISSION_COLUMNS)
            with cursor.copy(f"COPY submission ({columns}) FROM STDIN") as copy:
                for batch in _submission_batches(data, postgres=True):
                    copy.write(
                        "".join("\t".join(_copy_text(v) for v in row) + "\n" for row in batch)
                    )
            for table in ("ministry", "public_council", "consultation", "council_recommendation",
                          "submission"):  # fmt: skip
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


# ---------------------------------------------------------------------------- measuring


def statutory_deadline(rows_from: date, rows_to: date) -> Callable[[date], date]:
    """15 working days on the shipped Kazakh calendar, as `deadlines.start_clock` counts."""
    from listening_state.calendar_kz import holidays_for
    from listening_state.models import DayKind
    from listening_state.workdays import WorkingCalendar

    shipped = [d for year in range(rows_from.year, rows_to.year + 2) for d in holidays_for(year)]
    calendar = WorkingCalendar(
        holidays=[d.day for d in shipped if d.kind is DayKind.HOLIDAY],
        working_weekend_days=[d.day for d in shipped if d.kind is DayKind.WORKING_DAY],
    )
    return lambda day: calendar.add_working_days(day, 15)


def build_app(url: str) -> Flask:
    return create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "MONITORING_CACHE_SECONDS": 0,  # the figures are counted on every request
        }
    )


def timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    """Milliseconds per run, after one warm-up run (a connection, compiled templates)."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(times), "max": max(times), "min": min(times)}


def capture_statements(app: Flask, action: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SQL the action sends, with its parameters, for EXPLAIN."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
    return seen


PLAN_LINES = 12
# The lines of a PostgreSQL plan that say what is read and how it is grouped.
PLAN_WORDS = ("Aggregate", "Scan", "Index Cond", "Heap Fetches", "Join", "Execution Time")


def explain(app: Flask, statements: Sequence[tuple[str, Any]]) -> list[str]:
    """Each query alone (best of three, rows fetched) and the start of its plan: which table
    or index it reads."""
    lines = []
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in statements:
                if not statement.lstrip().startswith("SELECT"):
                    continue
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                    times.append((time.perf_counter() - started) * 1000)
                if db.engine.dialect.name == "sqlite":
                    cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                    plan = [row[3] for row in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
                    plan = [
                        row[0].strip()
                        for row in cursor.fetchall()
                        if any(word in row[0] for word in PLAN_WORDS)
                    ]
                head = statement.split("FROM")[0][:80].replace("\n", " ")
                lines.append(f"{min(times):7.0f} ms  {head} ...")
                lines.extend(f"    {step}" for step in plan[:PLAN_LINES])
                if len(plan) > PLAN_LINES:
                    lines.append(f"    ... {len(plan) - PLAN_LINES} more lines")
        finally:
            connection.close()
    return lines


def measure(app: Flask, runs: int) -> dict[str, Any]:
    from listening_state.services import monitoring

    client = app.test_client()
    figures: dict[str, Any] = {}
    with app.app_context():
        page = client.get("/monitoring")
        assert page.status_code == 200, page.status_code
        figures["page"] = timed(lambda: client.get("/monitoring"), runs)
        figures["page_sorted"] = timed(
            lambda: client.get("/monitoring?sort=median_days_to_answer&dir=asc&chart=MF"), runs
        )
        figures["figures_queries"] = timed(monitoring.ministry_figures, runs)
        figures["weeks_query"] = timed(monitoring.answers_per_week, runs)
        figures["csv"] = timed(lambda: client.get("/monitoring.csv"), runs)
        figures["json"] = timed(lambda: client.get("/monitoring.json"), runs)
        snapshot = monitoring.ministry_figures()
    figures["plan"] = explain(
        app,
        capture_statements(
            app, lambda: (monitoring.ministry_figures(), monitoring.answers_per_week())
        ),
    )
    figures["check"] = {
        "ministries": len(snapshot.ministries),
        "received": snapshot.overall.received,
        "answered": snapshot.overall.answered,
        "median_days": snapshot.overall.median_days_to_answer,
        "overdue": snapshot.overall.overdue,
    }
    return figures


def rebuild_rollup(app: Flask) -> float:
    """`flask monitoring rebuild-rollup`, as after any bulk load: seconds it took."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["monitoring", "rebuild-rollup"])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"rebuild-rollup failed: {result.output}")
    print(result.output.strip())
    return seconds


def upkeep_cost(app: Flask, runs: int) -> dict[str, float]:
    """Milliseconds to flush a change to 1 and to 50 waiting submissions (each rolled back):
    answering them, which the rollup's upkeep follows, and editing their closing reason, a
    column it ignores, for comparison."""
    from sqlalchemy import select

    from listening_state.models import Submission, SubmissionStatus
    from listening_state.models.base import utcnow

    costs: dict[str, float] = {}
    with app.app_context():
        waiting = db.session.scalars(
            select(Submission.id).where(Submission.status == SubmissionStatus.ROUTED).limit(50)
        ).all()
        db.session.rollback()
        changes: dict[str, Callable[[Submission], None]] = {
            "answer": lambda s: (
                setattr(s, "status", SubmissionStatus.ANSWERED),
                setattr(s, "answered_at", utcnow()),
            ),
            "uncounted": lambda s: setattr(s, "closed_reason", "Edited."),
        }
        for size in (1, 50):
            for name, change in changes.items():
                times = []
                for _ in range(runs + 1):
                    rows = db.session.scalars(
                        select(Submission).where(Submission.id.in_(waiting[:size]))
                    ).all()
                    for row in rows:
                        change(row)
                    started = time.perf_counter()
                    db.session.flush()
                    times.append((time.perf_counter() - started) * 1000)
                    db.session.rollback()
                costs[f"flush_ms_{name}_{size}"] = round(statistics.median(times[1:]), 1)
        db.session.remove()
    return costs


def _database_setting(app: Flask, url: str, statement: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {name} {statement}"))
            connection.commit()
        db.engine.dispose()  # new connections pick the setting up


def tune_postgresql(app: Flask, url: str) -> None:
    """Settings for SSD storage and short queries: the planner then reads the covering
    indexes instead of the table (random_page_cost), and no JIT compile per query."""
    _database_setting(app, url, "SET random_page_cost = 1.1")
    _database_setting(app, url, "SET jit = off")


def untune_postgresql(app: Flask, url: str) -> None:
    _database_setting(app, url, "RESET random_page_cost")
    _database_setting(app, url, "RESET jit")


def cached_page_ms(app: Flask, runs: int) -> float:
    """The page with MONITORING_CACHE_SECONDS set, for comparison only: not the target's."""
    kept = create_app({**app.config, "MONITORING_CACHE_SECONDS": 300})
    client = kept.test_client()
    with kept.app_context():
        median = timed(lambda: client.get("/monitoring"), runs)["median"]
        db.engine.dispose()
    return median


def prepare_sqlite(path: Path, data: Dataset) -> Flask:
    import flask_migrate

    app = build_app(f"sqlite:///{path}")
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    load_sqlite(path, data)
    return app


def prepare_postgresql(url: str, data: Dataset) -> Flask:
    import flask_migrate

    engine = create_engine(url)
    with engine.begin() as connection:  # this database is the bench's own: start empty
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = build_app(url)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    load_postgresql(url, data)
    return app


def report(backend: str, figures: dict[str, Any], load_seconds: float, expected: Any) -> None:
    print(f"\n== {backend} (load {load_seconds:.0f} s; {figures['check']})")
    shown = {key: figures["check"][key] for key in expected}
    if shown != expected:
        print(f"!! the page shows {shown}, the generated data has {expected}")
    print(f"{'what':<34}{'median ms':>10}{'max ms':>10}{'min ms':>10}")
    names = {
        "page": "GET /monitoring",
        "page_sorted": "GET /monitoring sorted, one chart",
        "figures_queries": "ministry_figures() alone",
        "weeks_query": "answers_per_week() alone",
        "csv": "GET /monitoring.csv",
        "json": "GET /monitoring.json",
    }
    for key, name in names.items():
        t = figures[key]
        print(f"{name:<34}{t['median']:>10.0f}{t['max']:>10.0f}{t['min']:>10.0f}")
    print("each query alone, and its plan:")
    print("\n".join(figures["plan"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test_monitor")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    pg_url = args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1)

    started = time.perf_counter()
    today = datetime.now(UTC).date()
    data = generate(
        args.rows,
        real_bodies(args.data),
        statutory_deadline(today - timedelta(days=HISTORY_DAYS + 31), today),
    )
    print(f"generated {args.rows:,} submissions in {time.perf_counter() - started:.0f} s")
    # Other work on the machine slows every figure: the load average says how busy it was.
    summary: dict[str, Any] = {
        "rows": args.rows,
        "target_ms": TARGET_MS,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    backends: list[tuple[str, Callable[[], Flask]]] = []
    workdir = tempfile.TemporaryDirectory(prefix="monitoring-bench-")
    if not args.skip_sqlite:
        path = Path(workdir.name) / "bench.sqlite"
        backends.append(("sqlite", lambda: prepare_sqlite(path, data)))
    if not args.skip_postgresql:
        backends.append(("postgresql", lambda: prepare_postgresql(pg_url, data)))
    for backend, prepare in backends:
        started = time.perf_counter()
        app = prepare()
        load_seconds = time.perf_counter() - started
        summary[f"rebuild_s_{backend}"] = round(rebuild_rollup(app), 2)
        variants = [backend, f"{backend}_tuned"] if backend == "postgresql" else [backend]
        for name in variants:
            if name.endswith("_tuned"):
                tune_postgresql(app, pg_url)
            figures = measure(app, args.runs)
            report(name, figures, load_seconds, data.expected)
            summary.update(
                {
                    f"page_ms_{name}": round(figures["page"]["median"], 1),
                    f"page_max_ms_{name}": round(figures["page"]["max"], 1),
                    f"page_ratio_to_target_{name}": round(figures["page"]["median"] / TARGET_MS, 2),
                    f"figures_ms_{name}": round(figures["figures_queries"]["median"], 1),
                    f"weeks_ms_{name}": round(figures["weeks_query"]["median"], 1),
                    f"csv_ms_{name}": round(figures["csv"]["median"], 1),
                    f"json_ms_{name}": round(figures["json"]["median"], 1),
                }
            )
        summary[f"load_s_{backend}"] = round(load_seconds, 1)
        summary[f"page_ms_{backend}_cached"] = round(cached_page_ms(app, args.runs), 1)
        summary.update(
            {f"{key}_{backend}": value for key, value in upkeep_cost(app, args.runs).items()}
        )
        if backend == "postgresql":
            untune_postgresql(app, pg_url)
        with app.app_context():
            db.engine.dispose()
    workdir.cleanup()
    summary["load_average_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
