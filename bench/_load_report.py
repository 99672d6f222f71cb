"""Results of bench/load.py: what the visitors saw, summed up in the printed table and the final
JSON line."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _db_counts import count_rows
from _http_load import Result
from _load_setup import TRIVIAL_PATH


@dataclass
class Run:
    """What the visitors saw, in order of sending."""

    results: list[Result] = field(default_factory=list)
    accepted: list[tuple[str, float]] = field(default_factory=list)  # (reference, sent at)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result, reference: str | None) -> None:
        with self.lock:
            self.results.append(result)
            if reference:
                self.accepted.append((reference, result.started))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile of `values` (nearest rank); NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summarise(run: Run, seconds: float, ok: Callable[[Result], bool]) -> dict[str, Any]:
    """Rate and latencies of the requests `ok` accepts, and what went wrong with the others."""
    good = [r.seconds * 1000 for r in run.results if ok(r)]
    statuses = Counter(r.status for r in run.results)
    return {
        "requests": len(run.results),
        "ok": len(good),
        "per_s": round(len(good) / seconds, 1),
        "p50_ms": round(percentile(good, 50), 1),
        "p95_ms": round(percentile(good, 95), 1),
        "p99_ms": round(percentile(good, 99), 1),
        "mean_ms": round(statistics.fmean(good), 1) if good else float("nan"),
        "errors": len(run.results) - len(good),
        "status_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "status_503": statuses.get(503, 0),
        "no_answer": statuses.get(0, 0),
        "statuses": dict(sorted(statuses.items())),
        "no_answer_kinds": dict(Counter(r.error for r in run.results if r.status == 0)),
    }


def report(
    args: argparse.Namespace,
    setup: dict[str, float],
    submissions: Run,
    load_seconds: float,
    trivial: Run,
    trivial_seconds: float,
    fault_report: dict[str, object],
) -> None:
    """Print the table, the accepted submissions against those stored, then one JSON line."""
    sub = summarise(submissions, load_seconds, lambda r: r.status == 302)
    stored = count_rows(args.pg_url, [ref for ref, _ in submissions.accepted])
    row: dict[str, object] = {
        "submissions_per_s": sub["per_s"],
        "p50_ms": sub["p50_ms"],
        "p95_ms": sub["p95_ms"],
        "p99_ms": sub["p99_ms"],
        "errors": sub["errors"],
        "status_5xx": sub["status_5xx"],
        "status_503": sub["status_503"],
        "accepted": len(submissions.accepted),
        **stored,
    }
    print(f"\nsetup: {', '.join(f'{k} {v:.1f} s' for k, v in setup.items())}")
    print(
        f"gunicorn -w {args.workers} --threads {args.threads}, {args.clients} citizens, "
        f"{load_seconds:.1f} s of submissions, {trivial_seconds:.1f} s of the trivial endpoint, "
        f"fault: {args.fault}\n"
    )
    print(f"{'':30}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'5xx':>6}")
    print(
        f"{'submissions (POST)':30}{sub['per_s']:>8}{sub['p50_ms']:>9}{sub['p95_ms']:>9}"
        f"{sub['p99_ms']:>9}{sub['errors']:>8}{sub['status_5xx']:>6}"
    )
    if trivial.results:
        triv = summarise(trivial, trivial_seconds, lambda r: r.status == 200)
        print(
            f"{'trivial ' + TRIVIAL_PATH:30}{triv['per_s']:>8}{triv['p50_ms']:>9}"
            f"{triv['p95_ms']:>9}{triv['p99_ms']:>9}{triv['errors']:>8}{triv['status_5xx']:>6}"
        )
        row["trivial_per_s"] = triv["per_s"]
        row["trivial_p50_ms"] = triv["p50_ms"]
        row["ratio"] = (
            round(float(sub["per_s"]) / float(triv["per_s"]), 3) if triv["per_s"] else None
        )
        if "processed_per_s" in fault_report:
            processed = float(fault_report["processed_per_s"])  # type: ignore[arg-type]
            row["processed_ratio"] = (
                round(processed / float(triv["per_s"]), 3) if triv["per_s"] else None
            )
    print(f"\nsubmission statuses: {sub['statuses']}, no answer: {sub['no_answer_kinds']}")
    print(
        f"accepted {row['accepted']}, stored {row['stored']} (of the bench citizens), "
        f"lost {row['lost']}, stored without a confirmation {row['stored_unconfirmed']}"
    )
    for key, value in fault_report.items():
        print(f"{key:32} {value}")
    row.update({k: v for k, v in fault_report.items() if not isinstance(v, list)})
    row.update({"fault": args.fault, "clients": args.clients, "workers": args.workers})
    row["intake"] = args.intake
    row["seconds"] = round(load_seconds, 1)
    row["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(row))
