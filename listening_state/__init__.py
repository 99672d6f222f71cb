"""Listening State: the application factory (wiring only)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing the package (say, its pure ml/ modules) must not load Flask
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI commands."""
    from flask import Flask

    from listening_state import cli, i18n, security
    from listening_state.config import load_config
    from listening_state.extensions import csrf, db, limiter, migrate
    from listening_state.services import job_queue, monitoring_upkeep
    from listening_state.web import converters, register_blueprints

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, overrides)
    _trust_proxies(app)
    db.init_app(app)
    monitoring_upkeep.register()  # every session keeps the monitoring counts exact
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    converters.register(app)  # before the blueprints: a rule binds its converters when added
    register_blueprints(app)
    job_queue.init_app(app)  # the job thread starts with the first request, not here
    cli.register(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from X-Forwarded-* headers, but only as many hops
    as the deployment says its proxies add (rate limits and audit entries key on the address)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = {
        name: int(app.config[f"PROXY_FIX_X_{name.upper()}"])
        for name in ("for", "proto", "host", "prefix")
    }
    if any(hops.values()):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=hops["for"],
            x_proto=hops["proto"],
            x_host=hops["host"],
            x_prefix=hops["prefix"],
        )
