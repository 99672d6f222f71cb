"""listening_state.ml is pure: it can be imported, benchmarked and reused without the web app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "listening_state"
ML = PACKAGE / "ml"
ALLOWED_ROOTS = {"numpy", "scipy", "sklearn", "joblib"}
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "jinja2")


def imported_roots(path: Path) -> set[str]:
    """Top-level module names a file imports, with `listening_state.x` kept as two parts."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {
        ".".join(name.split(".")[:2]) if name.startswith("listening_state.") else name.split(".")[0]
        for name in names
    }


@pytest.mark.parametrize("path", sorted(ML.glob("*.py")), ids=lambda path: path.name)
def test_ml_modules_import_only_the_standard_library_and_numeric_packages(path: Path) -> None:
    outside = {
        name
        for name in imported_roots(path)
        if name not in sys.stdlib_module_names
        and name not in ALLOWED_ROOTS
        and name != "listening_state.ml"
    }
    assert not outside, f"{path.name} imports {sorted(outside)}"


def test_router_seed_imports_nothing_from_the_web_app() -> None:
    roots = imported_roots(PACKAGE / "router_seed.py")
    assert not {name for name in roots if name.startswith("listening_state")}
    assert not roots & set(FORBIDDEN)


@pytest.mark.parametrize(
    "module",
    [
        "listening_state.ml.routing",
        "listening_state.ml.evaluation",
        "listening_state.ml.themes",
        "listening_state.ml.campaigns",
        "listening_state.router_seed",
    ],
)
def test_importing_leaves_flask_and_sqlalchemy_unloaded(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"loaded = sorted(name for name in {FORBIDDEN!r} if name in sys.modules)\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert result.stdout.strip() == "", f"importing {module} loaded {result.stdout.strip()}"
