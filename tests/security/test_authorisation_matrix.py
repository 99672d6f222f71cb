"""Every URL of the site for every role, against the declared rules in access_rules.py.

The URLs come from the app's URL map, so a new endpoint without a rule fails here by name.
Each URL is filled with objects of "this" ministry (matrix_world.py) and requested as each of
seven people: GET for pages, and for POST-only actions a POST with no data (CSRF off), where
the roles not allowed must be refused and the allowed ones must not be.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from listening_state import create_app
from tests.conftest import _reset, make_app
from tests.factories import restart_real_comments
from tests.security.access_rules import LOGIN, REDIRECT, ROLES, TABLE, Access, Outcome
from tests.security.matrix_world import World, build_world, signed_in

VARIABLE = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
# Values that are not objects of the world.
CONSTANTS: dict[str, str] = {"filename": "css/app.css", "action": "publish"}


def _url_map_rules() -> list[Rule]:
    """The site's rules, pages first: POST actions may change the world, so they come last."""
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SECRET_KEY": "url-map",
            "DATABASE_URL": "sqlite://",
            "RATELIMIT_ENABLED": False,
        }
    )
    rules = list(app.url_map.iter_rules())
    return sorted(rules, key=lambda rule: (_method(rule) != "GET", rule.rule))


def _method(rule: Rule) -> str:
    methods = rule.methods or set()
    return "GET" if "GET" in methods else sorted(methods - {"HEAD", "OPTIONS"})[0]


RULES = _url_map_rules()


@pytest.fixture(scope="module")
def matrix(_schema: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """One world for the whole module, and one client per role."""
    tmp = tmp_path_factory.mktemp("matrix")
    app = make_app(_schema, tmp, COUNCIL_DOCUMENT_DIR=str(tmp / "documents"))
    restart_real_comments()
    with app.app_context():
        world = build_world()
        clients = {role: signed_in(app.test_client(), world, role) for role in ROLES}
        yield Matrix(app, world, clients)
    _reset(app)


class Matrix:
    def __init__(self, app: Flask, world: World, clients: dict[str, FlaskClient]) -> None:
        self.app, self.world, self.clients = app, world, clients

    def path(self, rule: Rule, *, fresh: bool) -> str:
        values = self.world.values()

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if fresh and (made := self.world.fresh(name)) is not None:
                return str(made)
            return str(CONSTANTS.get(name) or values[_value_name(rule, name)])

        return VARIABLE.sub(fill, rule.rule)

    def request(self, rule: Rule, role: str, *, fresh: bool = False) -> TestResponse:
        path = self.path(rule, fresh=fresh)
        method = _method(rule)
        headers = {}
        kwargs: dict[str, object] = {}
        if rule.rule.startswith("/api/"):
            if role != "anonymous":
                headers["Authorization"] = f"Bearer {self.world.tokens[role]}"
            if method != "GET":
                kwargs["json"] = {}
            if rule.endpoint == "api_v1.list_inbox":  # administrators work for every ministry
                path += f"?ministry={self.world.this.ministry.code}"
        response = self.clients[role].open(path, method=method, headers=headers, **kwargs)
        response.close()
        return response


def _value_name(rule: Rule, name: str) -> str:
    """Which object of the world fills a parameter of this rule."""
    if rule.endpoint == "main.set_language" and name == "code":
        return "language"
    if name in ("theme_id", "campaign_id") and rule.rule.startswith("/ministries/"):
        return f"ministry_{name}"
    # Reports and themes are about a consultation whose comment period is over.
    if name == "consultation_id" and re.search(r"/(report|themes)", rule.rule):
        return "closed_consultation_id"
    return name


def _outcome(response: TestResponse) -> Outcome:
    if response.status_code == 302:
        return LOGIN if urlsplit(response.headers["Location"]).path == "/login" else REDIRECT
    return response.status_code


def _accepted(outcome: Outcome) -> bool:
    """An allowed POST with no data may be refused as incomplete (400), impossible now (409)
    or redirected back with a message, but not refused as unauthorised or not found."""
    return outcome not in (LOGIN, 401, 403, 404) and (not isinstance(outcome, int) or outcome < 500)


def _rule_id(rule: Rule) -> str:
    return f"{rule.endpoint} {_method(rule)} {rule.rule}"


def test_every_endpoint_has_an_access_rule() -> None:
    missing = sorted({rule.endpoint for rule in RULES} - set(TABLE))
    assert not missing, f"endpoints without a rule in tests/security/access_rules.py: {missing}"


def test_every_access_rule_names_a_real_endpoint() -> None:
    stale = sorted(set(TABLE) - {rule.endpoint for rule in RULES})
    assert not stale, f"rules for endpoints that no longer exist: {stale}"


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_each_role_gets_what_the_rule_says(matrix: Matrix, rule: Rule) -> None:
    access = TABLE.get(rule.endpoint)
    assert access is not None, f"no access rule for {rule.endpoint} ({rule.rule})"
    method = _method(rule)
    # Refused roles first: if an allowed one then changes the world, nothing else depends on it.
    order = sorted(ROLES, key=access.allows) if method != "GET" else list(ROLES)
    wrong = []
    for role in order:
        action = method != "GET" and access.allows(role) and role not in access.exceptions
        outcome = _outcome(matrix.request(rule, role, fresh=action))
        if action:
            if not _accepted(outcome):
                wrong.append(f"{role}: allowed, but got {outcome}")
        elif outcome != access.expected(role):
            wrong.append(f"{role}: expected {access.expected(role)}, got {outcome}")
    assert not wrong, f"{_rule_id(rule)}:\n  " + "\n  ".join(wrong)


def test_the_matrix_notices_a_wrong_rule(matrix: Matrix) -> None:
    """The comparison is real: the admin pages refuse a citizen, so a rule that let citizens in
    would be reported."""
    rule = next(r for r in RULES if r.endpoint == "audit.index")
    too_open = Access(frozenset(ROLES))
    assert _outcome(matrix.request(rule, "citizen")) != too_open.expected("citizen")
    assert Path(__file__).with_name("access_rules.py").is_file()
