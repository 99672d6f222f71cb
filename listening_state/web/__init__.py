"""Server-rendered pages, one blueprint per feature."""

from __future__ import annotations

from flask import Flask

from listening_state.web import errors, filters, paging, unavailable


def register_blueprints(app: Flask) -> None:
    from listening_state.web.account.views import bp as account_bp
    from listening_state.web.audit.views import bp as audit_bp
    from listening_state.web.auth.views import bp as auth_bp
    from listening_state.web.calendar.views import bp as calendar_bp
    from listening_state.web.consultations.views import bp as consultations_bp
    from listening_state.web.councils.views import bp as councils_bp
    from listening_state.web.health.views import bp as health_bp
    from listening_state.web.inbox.views import bp as inbox_bp
    from listening_state.web.main.views import bp as main_bp
    from listening_state.web.manage.views import bp as manage_bp
    from listening_state.web.moderation.views import bp as moderation_bp
    from listening_state.web.monitoring.views import bp as monitoring_bp
    from listening_state.web.outbox.views import bp as outbox_bp
    from listening_state.web.reports.views import bp as reports_bp
    from listening_state.web.routing.views import bp as routing_bp
    from listening_state.web.submissions.views import bp as submissions_bp
    from listening_state.web.themes.views import bp as themes_bp
    from listening_state.web.tokens.views import bp as tokens_bp

    blueprints = (
        main_bp,
        health_bp,
        auth_bp,
        consultations_bp,
        submissions_bp,
        councils_bp,
        monitoring_bp,
        manage_bp,
        routing_bp,
        moderation_bp,
        audit_bp,
        calendar_bp,
        inbox_bp,
        outbox_bp,
        account_bp,
        reports_bp,
        themes_bp,
        tokens_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    _register_api(app)
    errors.register(app)
    unavailable.register(app)
    filters.register(app)
    paging.register(app)


def _register_api(app: Flask) -> None:
    """The JSON API authenticates by token only, never by cookie, so CSRF does not apply."""
    from listening_state.api import create_blueprint
    from listening_state.extensions import csrf

    api_bp = create_blueprint()
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
