"""`flask router ...`: train, activate, roll back, list and evaluate."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from listening_state.extensions import db
from listening_state.models import Ministry, RouterVersion
from tests.routing.conftest import petition_examples

EVALUATION_KEYS = {
    "accuracy",
    "macro_f1",
    "weighted_f1",
    "top3_accuracy",
    "threshold",
    "auto_route_share",
    "auto_route_precision",
    "n_train",
    "n_test",
    "n_classes",
    "per_class",
    "train_seconds",
    "predict_docs_per_second",
}


def _write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "department"])
        writer.writerows(rows)
    return path


def test_evaluate_prints_one_json_object_without_a_database(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    texts, labels = petition_examples()
    rows = list(zip(texts, labels, strict=True))
    train = _write_csv(tmp_path / "train.csv", rows[0::2])
    test = _write_csv(tmp_path / "test.csv", rows[1::2])
    result = runner.invoke(
        args=[
            "router",
            "evaluate",
            "--train",
            str(train),
            "--test",
            str(test),
            "--text-column",
            "text",
            "--label-column",
            "department",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert set(figures) == EVALUATION_KEYS
    assert figures["n_classes"] == 3
    assert figures["n_test"] == len(rows[1::2])
    assert 0.0 <= figures["macro_f1"] <= 1.0


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        (None, "text", "no such file"),
        ("text,department\n", "text", "at least 2 different labels"),
        ("body,department\nsome text here,DfT\n", "text", "the columns are: 'body', 'department'"),
    ],
)
def test_evaluate_explains_bad_files(
    runner: FlaskCliRunner, tmp_path: Path, content: str | None, column: str, message: str
) -> None:
    path = tmp_path / "train.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(
        args=[
            "router",
            "evaluate",
            "--train",
            str(path),
            "--text-column",
            column,
            "--label-column",
            "department",
            "--json",
        ]
    )
    assert result.exit_code != 0
    assert message in result.output.lower()


def test_activate_unknown_version_explains(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["router", "activate", "no-such-version"])
    assert result.exit_code != 0
    assert "no router version no-such-version" in result.output


def test_list_shows_versions_and_marks_the_active_one(
    runner: FlaskCliRunner, active_router: RouterVersion, ministries: dict[str, Ministry]
) -> None:
    result = runner.invoke(args=["router", "list"])
    assert active_router.version in result.output
    assert "ACTIVE" in result.output
    bootstrap = runner.invoke(args=["router", "bootstrap"])
    assert f"Router version {active_router.version} is active." in bootstrap.output
    assert db.session.scalar(db.select(db.func.count(RouterVersion.id))) == 1


def test_bootstrap_trains_the_cold_start_router_from_the_seed_data(runner: FlaskCliRunner) -> None:
    from listening_state.authz import SYSTEM
    from listening_state.demo.ministries import GOVERNMENT_BODIES
    from listening_state.services import ministries

    for body in GOVERNMENT_BODIES:
        ministries.upsert_ministry(
            actor=SYSTEM,
            code=body.code,
            name_kk=body.name_kk,
            name_ru=body.name_ru,
            name_en=body.name_en,
            mandate=body.mandate,
        )
    result = runner.invoke(args=["router", "bootstrap"])
    assert result.exit_code == 0, result.output
    version = db.session.scalar(db.select(RouterVersion).where(RouterVersion.is_active.is_(True)))
    assert version is not None
    assert version.n_examples > 1000  # the mapped UK petitions plus one mandate per body
    assert "MT" in version.report["examples_per_label"]
    assert "ACSA" in version.report["examples_per_label"]  # known from its mandate alone
