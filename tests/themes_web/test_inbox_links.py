"""A theme's page links to the inboxes its submissions were routed to, each filtered by the
theme; a consultation's submissions may be routed to ministries other than its own."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.models import Submission, SubmissionStatus, Theme, ThemeBuild
from listening_state.services import routing
from tests.factories import login
from tests.themes_web.conftest import Heard, write_build
from tests.themes_web.helpers import member_rows

INBOX_LINK = r'href="/ministries/([^"/]+)/inbox\?([^"]+)"'


def _largest_theme(build: ThemeBuild) -> tuple[Theme, list[Submission]]:
    """The build's theme with the most submissions, and its submissions (spam left out)."""
    rows = member_rows(build)
    theme = max(build.themes, key=lambda t: sum(1 for m, _, _ in rows if m == t.id))
    return theme, sorted(
        (s for m, _, s in rows if m == theme.id and not s.is_spam), key=lambda s: s.id
    )


def _route(heard: Heard, to_other: set[str]) -> None:
    """Route everything: the references in `to_other` to the other ministry, the rest to the
    consultation's own."""
    for submission in heard.submissions:
        routing.route_new_submission(submission)
    waiting = [s for s in heard.submissions if s.status is SubmissionStatus.NEEDS_TRIAGE]
    for ministry, chosen in (
        (heard.other_ministry, [s for s in waiting if s.reference in to_other]),
        (heard.ministry, [s for s in waiting if s.reference not in to_other]),
    ):
        routing.assign_from_triage(actor=SYSTEM, submissions=chosen, ministry=ministry)


def _followed(client: FlaskClient, heard: Heard, theme: Theme) -> dict[str, set[str]]:
    """Each inbox linked from the theme's page (by ministry code), and what it lists."""
    return _followed_from(client, f"/consultations/{heard.consultation.id}/themes/{theme.id}")


def _followed_from(client: FlaskClient, url: str) -> dict[str, set[str]]:
    page = client.get(url)
    assert page.status_code == 200
    listed = {}
    for code, query in re.findall(INBOX_LINK, page.get_data(as_text=True)):
        inbox = client.get(f"/ministries/{code}/inbox?{query.replace('&amp;', '&')}")
        assert inbox.status_code == 200, (code, query)
        listed[code] = set(
            re.findall(r"<code>(LS-[A-Z0-9-]+)</code>", inbox.get_data(as_text=True))
        )
    return listed


def test_the_link_goes_to_the_inbox_holding_the_themes_submissions(
    client: FlaskClient, heard: Heard
) -> None:
    theme, in_theme = _largest_theme(heard.build)
    # The whole consultation goes elsewhere: its own ministry's inbox does not even offer it.
    _route(heard, to_other={s.reference for s in heard.submissions})
    login(client, heard.admin)
    assert _followed(client, heard, theme) == {
        heard.other_ministry.code: {s.reference for s in in_theme}
    }


def test_a_theme_split_between_ministries_links_to_each_inbox(
    client: FlaskClient, heard: Heard
) -> None:
    theme, in_theme = _largest_theme(heard.build)
    elsewhere = {s.reference for s in in_theme[::2]}
    _route(heard, to_other=elsewhere)
    login(client, heard.admin)
    assert _followed(client, heard, theme) == {
        heard.ministry.code: {s.reference for s in in_theme} - elsewhere,
        heard.other_ministry.code: elsewhere,
    }


def test_an_officer_gets_no_link_when_their_inbox_holds_none_of_the_theme(
    client: FlaskClient, heard: Heard
) -> None:
    theme, in_theme = _largest_theme(heard.build)
    _route(heard, to_other={s.reference for s in in_theme})
    login(client, heard.officer)
    assert _followed(client, heard, theme) == {}


def test_a_ministrys_theme_links_to_that_ministrys_inbox_only(
    client: FlaskClient, heard: Heard
) -> None:
    theme, in_theme = _largest_theme(write_build(heard.submissions, ministry=heard.ministry))
    elsewhere = {s.reference for s in in_theme[::2]}
    _route(heard, to_other=elsewhere)
    login(client, heard.admin)
    # The other ministry's inbox offers only its own themes: no link there, though it holds some.
    url = f"/ministries/{heard.ministry.code}/themes/{theme.id}"
    assert _followed_from(client, url) == {
        heard.ministry.code: {s.reference for s in in_theme} - elsewhere
    }
