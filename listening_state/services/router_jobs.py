"""Router training as a background job: it reads every human routing decision and fits a model
for tens of seconds, so an administrator's request queues it instead of waiting on it."""

from __future__ import annotations

from listening_state import authz
from listening_state.authz import SYSTEM, Actor
from listening_state.models import BackgroundJob
from listening_state.services import jobs, router_versions
from listening_state.services.errors import PermissionDenied
from listening_state.services.jobs import Report

TRAIN_KIND = "router.train"
SUBJECT = "router"


def request_training(*, actor: Actor, activate: bool) -> BackgroundJob:
    """Queue the training of a new router version (or return the one already queued)."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators train the router")
    return jobs.enqueue(
        kind=TRAIN_KIND, subject_key=SUBJECT, params={"activate": activate}, requested_by=actor
    )


def run_training(job: BackgroundJob, report: Report) -> None:
    """Train from the human decisions and the seed data; activate it if the request said so."""
    from listening_state.demo.loader import resolve_shared_data_dir

    report(0.0, "training the router")
    row = router_versions.train_version(actor=SYSTEM, shared_data_dir=resolve_shared_data_dir())
    if job.params.get("activate"):
        row = router_versions.activate_version(actor=SYSTEM, version=row.version)
    state = "active" if row.is_active else "not active"
    report(1.0, f"router version {row.version} ({state}), cv_macro_f1={row.cv_macro_f1:.3f}")
