"""Evidence for the router: do petitions rejected as duplicates make useful training data?

    .venv/bin/python bench/_router_linked_duplicates.py [--data ../shared/data] [--seeds 0 1 2]

The Petitions Committee rejected 1,441 petitions as duplicates and, for most, linked the
petition that already asks for the same thing; 709 of those links point at a petition that
carries a department. Each such rejected petition is real citizen text with a label by
linkage: its original's department. On each split (the bench's own: departments with at least
5 petitions, stratified 70/30), duplicates of *training* petitions are added to the training
part; duplicates of test petitions are dropped, so no test petition is seen through its copy.
Both the router (train_router, unchanged) and the baseline are trained with and without them
and scored on the same untouched test split. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
from pathlib import Path

import _one_core  # noqa: F401  (before numpy: pins its thread pools to one thread)
from router import MIN_PETITIONS, ROOT, baseline, test_figures
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from listening_state.ml import routing  # importable: `router` put the project on sys.path
from listening_state.router_seed import petition_text

LINK = re.compile(r"petitions?/(\d+)")


def load(data: Path) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """The bench's labelled petitions, and (text, original id) of the linked duplicates."""
    with (data / "uk-petitions" / "petitions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    labelled = {row["id"]: row for row in rows if row["primary_department"]}
    counts: dict[str, int] = {}
    for row in labelled.values():
        counts[row["primary_department"]] = counts.get(row["primary_department"], 0) + 1
    kept = [row for row in labelled.values() if counts[row["primary_department"]] >= MIN_PETITIONS]
    linked = []
    for row in rows:
        if row["rejection_code"] != "duplicate":
            continue
        original = next((i for i in LINK.findall(row["rejection_details"]) if i in labelled), None)
        if original is not None:
            linked.append((petition_text(row), original))
    return kept, linked


def one_split(
    kept: list[dict[str, str]], linked: list[tuple[str, str]], seed: int
) -> dict[str, float]:
    labels = [row["primary_department"] for row in kept]
    train, test = train_test_split(kept, test_size=0.3, stratify=labels, random_state=seed)
    department = {row["id"]: row["primary_department"] for row in train}
    train_x = [petition_text(row) for row in train]
    train_y = [row["primary_department"] for row in train]
    extra = [(text, department[original]) for text, original in linked if original in department]
    more_x, more_y = train_x + [t for t, _ in extra], train_y + [y for _, y in extra]
    test_x = [petition_text(row) for row in test]
    test_y = [row["primary_department"] for row in test]
    figures: dict[str, float] = {"seed": seed, "added": len(extra)}
    for name, (x, y) in {"plain": (train_x, train_y), "linked": (more_x, more_y)}.items():
        model, _ = routing.train_router(x, y)
        ours = test_figures(model, test_x, test_y)
        base = f1_score(test_y, baseline(x, y, test_x), average="macro", zero_division=0)
        figures.update(
            {
                f"{name}_macro_f1": ours["macro_f1"],
                f"{name}_top3_accuracy": ours["top3_accuracy"],
                f"{name}_auto_route_share": ours["auto_route_share"],
                f"{name}_auto_route_precision": ours["auto_route_precision"],
                f"{name}_baseline_macro_f1": base,
            }
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    args = parser.parse_args()
    kept, linked = load(args.data)
    print(f"{len(kept)} labelled petitions, {len(linked)} duplicates linked to a labelled one")
    columns = ("macro_f1", "baseline_macro_f1", "top3_accuracy", "auto_route_share")
    columns += ("auto_route_precision",)
    print(f"{'seed':>4} {'added':>5} {'training':>8} " + " ".join(f"{c:>20}" for c in columns))
    runs = []
    for seed in args.seeds:
        figures = one_split(kept, linked, seed)
        runs.append(figures)
        for name in ("plain", "linked"):
            cells = " ".join(f"{figures[f'{name}_{c}']:20.3f}" for c in columns)
            print(f"{seed:>4} {int(figures['added']):>5} {name:>8} {cells}", flush=True)
    means = {
        f"{name}_{c}_mean": statistics.mean(run[f"{name}_{c}"] for run in runs)
        for name in ("plain", "linked")
        for c in columns
    }
    print("mean over seeds: " + ", ".join(f"{k} {v:.3f}" for k, v in means.items()))
    print(json.dumps({"seeds": args.seeds, **means, "runs": runs}))


if __name__ == "__main__":
    main()
