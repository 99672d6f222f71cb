"""The command line: `themes summarise` on a CSV file (no database), `themes rebuild`,
`themes bootstrap`, `jobs work` and `jobs list`."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, ThemeBuild
from listening_state.services import theme_builds
from listening_state.services.theme_builds import Scope
from tests.factories import make_consultation, make_submission
from tests.real_text import department_petitions, petition_text
from tests.themes.conftest import Heard, build_of

DEPARTMENTS = ("DEFRA", "DfT", "DfE")


@pytest.fixture
def petitions_csv(tmp_path: Path) -> Path:
    """Real petitions to three departments, with their ids and creation dates."""
    rows = []
    for department in DEPARTMENTS:
        rows += [row for row in department_petitions() if row["primary_department"] == department][
            :25
        ]
    path = tmp_path / "petitions.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["petition", "text", "created", "department"])
        for row in rows:
            writer.writerow([row["id"], petition_text(row), row["created_at"], department])
    return path


def _summarise(runner: FlaskCliRunner, path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        args=["themes", "summarise", "--csv", str(path), "--text-column", "text", *extra]
    )
    return result.exit_code, result.output


def test_summarise_prints_one_json_object_of_themes_assignments_and_campaigns(
    runner: FlaskCliRunner, petitions_csv: Path
) -> None:
    code, output = _summarise(
        runner, petitions_csv, "--id-column", "petition", "--date-column", "created", "--json"
    )
    assert code == 0, output
    result = json.loads(output)
    assert set(result) == {"themes", "assignments", "campaigns", "seconds"}
    with petitions_csv.open(encoding="utf-8") as handle:
        ids = [row["petition"] for row in csv.DictReader(handle)]
    assert list(result["assignments"]) == ids
    assert len(result["themes"]) >= 2
    theme_ids = {theme["id"] for theme in result["themes"]}
    for theme in result["themes"]:
        assert set(theme) == {"id", "label", "keywords", "size", "share", "quotes"}
        assert set(theme["quotes"]) <= set(ids)
        assert theme["size"] == list(result["assignments"].values()).count(theme["id"])
        assert theme["share"] == pytest.approx(theme["size"] / len(ids))
    assert set(result["assignments"].values()) <= theme_ids | {None}
    assert all(set(c) == {"ids", "size"} for c in result["campaigns"])
    assert result["seconds"] > 0


def test_summarise_numbers_rows_without_an_id_column_and_bounds_the_themes(
    runner: FlaskCliRunner, petitions_csv: Path
) -> None:
    code, output = _summarise(runner, petitions_csv, "--max-themes", "2", "--json")
    assert code == 0, output
    result = json.loads(output)
    assert list(result["assignments"]) == [str(n) for n in range(1, 76)]
    assert 1 <= len(result["themes"]) <= 2


def test_summarise_without_json_prints_a_table(runner: FlaskCliRunner, petitions_csv: Path) -> None:
    code, output = _summarise(runner, petitions_csv)
    assert code == 0, output
    assert "campaigns: 0" in output


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (b"", (), "the file is empty"),
        (b"text\n" + "Қазақ тілі".encode("utf-16"), (), "not UTF-8"),
        (b"body,other\nsome text,1\n", (), "no column 'text'"),
        (b"text\n\n", (), "no row has text in column 'text'"),
        (b"text,id\nfirst text,a\nsecond text,a\n", ("--id-column", "id"), "'a' appears on rows"),
        (b"text,id\nfirst text,\n", ("--id-column", "id"), "row 1 has text but no 'id'"),
        (b"text,day\nfirst text,yesterday\n", ("--date-column", "day"), "not an ISO 8601"),
    ],
    ids=["empty", "utf16", "column", "no-text", "duplicate-id", "no-id", "date"],
)
def test_summarise_explains_a_bad_file_and_exits_with_a_usage_error(
    runner: FlaskCliRunner,
    tmp_path: Path,
    content: bytes,
    extra: tuple[str, ...],
    message: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, output = _summarise(runner, path, "--json", *extra)
    assert code == 2, output
    assert message in " ".join(output.split())


def test_summarise_explains_a_missing_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    code, output = _summarise(runner, tmp_path / "nowhere.csv", "--json")
    assert code == 2
    assert "no such file" in output


def test_rebuild_with_wait_prints_progress_and_writes_the_build(
    runner: FlaskCliRunner, heard: Heard
) -> None:
    result = runner.invoke(
        args=["themes", "rebuild", "--consultation", str(heard.consultation.id), "--wait"]
    )
    assert result.exit_code == 0, result.output
    assert "reading submissions" in result.output
    assert "90.0%  saving" in result.output
    assert re.search(r"^Job \d+: done in [\d.]+ s\.$", result.output, re.MULTILINE)
    assert build_of(heard.consultation).inputs == len(heard.submissions)


def test_rebuild_queues_for_the_worker_which_runs_it(runner: FlaskCliRunner, heard: Heard) -> None:
    queued = runner.invoke(args=["themes", "rebuild", "--ministry", heard.ministry.code])
    assert queued.exit_code == 0, queued.output
    assert "queued" in queued.output
    assert db.session.scalar(select(func.count()).select_from(ThemeBuild)) == 0
    worked = runner.invoke(args=["jobs", "work", "--idle-exit"])
    assert worked.exit_code == 0, worked.output
    assert "stopped after 1 job(s)" in worked.output
    listed = runner.invoke(args=["jobs", "list"])
    assert f"themes.rebuild ministry:{heard.ministry.id}" in listed.output
    assert "done" in listed.output
    assert db.session.scalar(select(ThemeBuild.ministry_id)) == heard.ministry.id


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --consultation ID or --ministry CODE"),
        (["--consultation", "1", "--ministry", "X"], "give either"),
        (["--ministry", "NOPE"], "NOPE"),
        (["--consultation", "999999"], "consultation"),
    ],
)
def test_rebuild_explains_what_to_give(
    runner: FlaskCliRunner, app: Flask, args: list[str], message: str
) -> None:
    result = runner.invoke(args=["themes", "rebuild", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_failed_rebuild_with_wait_exits_with_its_error(
    runner: FlaskCliRunner, app: Flask
) -> None:
    consultation = make_consultation()
    result = runner.invoke(
        args=["themes", "rebuild", "--consultation", str(consultation.id), "--wait"]
    )
    assert result.exit_code == 1
    assert "has no submissions" in result.output


def test_bootstrap_builds_each_consultation_once(runner: FlaskCliRunner, heard: Heard) -> None:
    few = make_consultation(title="Too few comments")
    make_submission(few)
    first = runner.invoke(args=["themes", "bootstrap", "--min-submissions", "10"])
    assert first.exit_code == 0, first.output
    assert "Themes built for 1 of 1 consultations" in first.output
    assert build_of(heard.consultation).inputs == len(heard.submissions)
    again = runner.invoke(args=["themes", "bootstrap", "--min-submissions", "10"])
    assert "Themes built for 0 of 0 consultations" in again.output
    statuses = db.session.scalars(select(BackgroundJob.status)).all()
    assert statuses == [JobStatus.DONE]


def test_bootstrap_queue_leaves_the_builds_to_the_worker(
    runner: FlaskCliRunner, heard: Heard
) -> None:
    for _ in range(2):  # a second run finds the queued job and adds none
        queued = runner.invoke(args=["themes", "bootstrap", "--min-submissions", "10", "--queue"])
        assert queued.exit_code == 0, queued.output
        assert "Theme builds queued for 1 consultations" in queued.output
    assert db.session.scalars(select(BackgroundJob.status)).all() == [JobStatus.QUEUED]
    assert theme_builds.latest_build(Scope(consultation_id=heard.consultation.id)) is None
    worked = runner.invoke(args=["jobs", "work", "--idle-exit"])
    assert worked.exit_code == 0, worked.output
    assert build_of(heard.consultation).inputs == len(heard.submissions)
