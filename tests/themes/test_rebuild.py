"""Theme rebuilds: the build, its themes, campaigns and members are written in one commit and
agree with the database; a failed rebuild leaves the previous themes in place."""

from __future__ import annotations

from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    Campaign,
    JobStatus,
    ModerationReason,
    Role,
    Submission,
    Theme,
    ThemeBuild,
    ThemeMember,
)
from listening_state.services import moderation, routing, theme_builds, theme_models
from listening_state.services.errors import PermissionDenied
from listening_state.services.router_registry import model_dir
from tests.factories import (
    make_consultation,
    make_council,
    make_routed_submission,
    make_submission,
    make_user,
)
from tests.real_text import polis_comments
from tests.themes.conftest import Heard, build_of, member_count, rebuild


def _members(build_id: int) -> list[ThemeMember]:
    return list(db.session.scalars(select(ThemeMember).where(ThemeMember.build_id == build_id)))


def _model_files() -> set[str]:
    return {path.name for path in model_dir().glob("*.npz")}


def test_a_rebuild_writes_the_build_its_themes_and_one_member_per_submission(
    heard: Heard,
) -> None:
    job = rebuild(heard.consultation)
    assert job.status is JobStatus.DONE, job.error
    build = build_of(heard.consultation)
    n = len(heard.submissions)
    assert build.job_id == job.id
    assert build.inputs == n == member_count(build.id)
    assert {m.submission_id for m in _members(build.id)} == {s.id for s in heard.submissions}
    assert len(build.themes) >= 2
    sizes = Counter(m.theme_id for m in _members(build.id))
    for theme in build.themes:
        assert theme.size == sizes[theme.id], "the size the engine gave is the members' count"
        assert theme.label
        assert theme.keywords
        assert sum(theme.stances.values()) == theme.size
        assert sum(count for _, count in theme.trend) == theme.size
    assert build.other_count == sizes[None]
    assert sum(t.size for t in build.themes) + build.other_count == n
    assert [t.position for t in build.themes] == list(range(len(build.themes)))


def test_the_model_files_are_stored_under_their_hash(heard: Heard) -> None:
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    assert build.model_file == f"themes-{build.model_sha256}.npz"
    index_file = build.settings[theme_models.INDEX_FILE]
    assert index_file == f"campaigns-{build.settings[theme_models.INDEX_SHA256]}.npz"
    assert _model_files() == {build.model_file, index_file}
    assert build.settings["themes"]["max_themes"] >= 2


def test_quotes_come_only_from_published_submissions_but_every_one_is_heard(
    heard: Heard,
) -> None:
    rejected = heard.submissions[::3]
    for submission in rejected:
        moderation.reject(actor=SYSTEM, submission=submission, reason=ModerationReason.OFF_TOPIC)
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    hidden = {s.id for s in rejected}
    quotes = [quote for theme in build.themes for quote in theme.quote_ids]
    assert quotes, "published comments are quoted"
    assert not hidden & set(quotes)
    assert hidden <= {m.submission_id for m in _members(build.id)}, "the ministry hears them"


def test_spam_is_left_out_of_the_themes(heard: Heard) -> None:
    spam = heard.submissions[0]
    moderation.reject(actor=SYSTEM, submission=spam, reason=ModerationReason.SPAM)
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    assert build.inputs == len(heard.submissions) - 1
    assert spam.id not in {m.submission_id for m in _members(build.id)}


def test_copies_of_one_text_are_one_campaign_in_one_theme(heard: Heard) -> None:
    letter = polis_comments("scoop-hivemind.affordable-housing")[3]
    endings = ["", " Thank you.", " Please act.", " Regards.", " Thanks!", " Sincerely."]
    copies = [make_submission(heard.consultation, body=letter + ending).id for ending in endings]
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    [campaign] = db.session.scalars(select(Campaign).where(Campaign.build_id == build.id))
    assert campaign.size == len(copies)
    assert campaign.representative_id in copies
    members = [m for m in _members(build.id) if m.campaign_id == campaign.id]
    assert sorted(m.submission_id for m in members) == sorted(copies)
    assert {m.theme_id for m in members} == {campaign.theme_id}


def test_a_failing_engine_leaves_the_previous_themes_in_place(
    heard: Heard, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(heard.consultation)
    before = build_of(heard.consultation)
    files = _model_files()
    make_submission(heard.consultation, body=polis_comments("vtaiwan.uberx")[0])

    def broken_engine(*args: object, **kwargs: object) -> None:
        raise MemoryError("the engine ran out of memory")

    monkeypatch.setattr(theme_builds, "build_themes", broken_engine)
    failed = rebuild(heard.consultation)
    assert failed.status is JobStatus.FAILED
    assert "MemoryError: the engine ran out of memory" in failed.error
    assert build_of(heard.consultation).id == before.id
    assert db.session.scalar(select(func.count()).select_from(ThemeBuild)) == 1
    assert member_count(before.id) == len(heard.submissions)
    assert _model_files() == files


def test_a_failure_while_writing_leaves_the_previous_themes_in_place(
    heard: Heard, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild(heard.consultation)
    before = build_of(heard.consultation)
    themes_before = db.session.scalar(select(func.count()).select_from(Theme))
    make_submission(heard.consultation, body=polis_comments("vtaiwan.uberx")[0])
    files = _model_files()

    def fail_after_the_inserts(scope: theme_builds.Scope) -> set[str]:
        raise ConnectionError("the database went away before the commit")

    monkeypatch.setattr(theme_builds, "_prune_old_builds", fail_after_the_inserts)
    failed = rebuild(heard.consultation)
    assert failed.status is JobStatus.FAILED
    assert "ConnectionError" in failed.error
    assert build_of(heard.consultation).id == before.id
    assert db.session.scalar(select(func.count()).select_from(ThemeBuild)) == 1
    assert db.session.scalar(select(func.count()).select_from(Theme)) == themes_before
    assert db.session.scalar(select(func.count()).select_from(ThemeMember)) == len(
        heard.submissions
    )
    assert _model_files() == files, "the new model files were removed"


def test_old_builds_beyond_the_kept_number_are_deleted_with_their_files(
    app: Flask, heard: Heard
) -> None:
    app.config["THEME_BUILDS_KEPT"] = 2
    extra = iter(polis_comments("vtaiwan.uberx"))
    first = rebuild(heard.consultation)
    for _ in range(2):  # new comments between rebuilds give new models, hence new files
        make_submission(heard.consultation, body=next(extra))
        rebuild(heard.consultation)
    builds = list(db.session.scalars(select(ThemeBuild).order_by(ThemeBuild.id)))
    assert len(builds) == 2
    assert first.id not in {build.job_id for build in builds}
    kept = {build.id for build in builds}
    assert set(db.session.scalars(select(ThemeMember.build_id).distinct())) == kept
    assert set(db.session.scalars(select(Theme.build_id).distinct())) == kept
    assert _model_files() == set().union(*(theme_models.files_of(b) for b in builds))


def test_submissions_stored_while_the_engines_run_join_the_new_build(
    heard: Heard, monkeypatch: pytest.MonkeyPatch
) -> None:
    late_text = polis_comments("scoop-hivemind.biodiversity")[40]
    late: list[Submission] = []
    find_campaigns = theme_builds.find_campaigns

    def a_citizen_comments_meanwhile(*args: object, **kwargs: object) -> object:
        late.append(make_submission(heard.consultation, body=late_text))
        return find_campaigns(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(theme_builds, "find_campaigns", a_citizen_comments_meanwhile)
    rebuild(heard.consultation)
    build = build_of(heard.consultation)
    assert build.inputs == len(heard.submissions)
    assert late[0].id in {m.submission_id for m in _members(build.id)}


def test_an_empty_consultation_fails_with_a_clear_error(app: Flask) -> None:
    consultation = make_consultation()
    failed = rebuild(consultation)
    assert failed.status is JobStatus.FAILED
    assert f"consultation:{consultation.id} has no submissions" in failed.error
    assert db.session.scalar(select(func.count()).select_from(ThemeBuild)) == 0


def test_a_ministry_build_covers_its_consultations_and_what_is_routed_to_it(
    heard: Heard,
) -> None:
    elsewhere = make_consultation(title="Another ministry's draft")
    routed_in = make_routed_submission(
        elsewhere, heard.ministry, body=polis_comments("football-concussions")[40]
    )
    not_ours = make_submission(elsewhere, body=polis_comments("football-concussions")[41])
    routing.route_new_submission(not_ours)  # no router: it waits in triage, not routed here
    job = rebuild(ministry=heard.ministry)
    assert job.subject_key == f"ministry:{heard.ministry.id}"
    build = theme_builds.latest_build(theme_builds.Scope(ministry_id=heard.ministry.id))
    assert build is not None
    assert build.consultation_id is None
    members = {m.submission_id for m in _members(build.id)}
    assert members == {s.id for s in heard.submissions} | {routed_in.id}
    assert theme_builds.latest_build(theme_builds.Scope(consultation_id=elsewhere.id)) is None


def test_officers_and_administrators_ask_for_rebuilds_council_members_do_not(
    heard: Heard,
) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=heard.ministry)
    job = theme_builds.request_rebuild(actor=officer, consultation=heard.consultation)
    assert job.status is JobStatus.QUEUED
    assert job.requested_by_id == officer.id
    assert job.params == {"consultation_id": heard.consultation.id}
    admin = make_user(Role.ADMIN)
    assert theme_builds.request_rebuild(actor=admin, consultation=heard.consultation).id == job.id
    council = make_council(heard.ministry)
    for outsider in (
        make_user(Role.COUNCIL_MEMBER, council=council),
        make_user(Role.MINISTRY_OFFICER, ministry=make_consultation().ministry),
        make_user(),
        None,
    ):
        with pytest.raises(PermissionDenied):
            theme_builds.request_rebuild(actor=outsider, ministry=heard.ministry)


def test_with_the_inline_job_backend_the_request_builds_the_themes_at_once(
    app: Flask, heard: Heard
) -> None:
    app.config["JOB_BACKEND"] = "inline"
    job = theme_builds.request_rebuild(actor=SYSTEM, consultation=heard.consultation)
    assert job.status is JobStatus.DONE
    assert build_of(heard.consultation).job_id == job.id


def test_bootstrap_candidates_are_published_consultations_with_enough_comments(
    heard: Heard,
) -> None:
    few = make_consultation(title="Few comments")
    make_submission(few)
    make_consultation(title="Not yet published", state="draft")
    candidates = theme_builds.consultations_without_themes(min_submissions=2)
    assert candidates == [heard.consultation]
    rebuild(heard.consultation)
    assert theme_builds.consultations_without_themes(min_submissions=2) == []
