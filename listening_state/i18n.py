"""Interface language: the user's preference, then the switcher, then the browser."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from listening_state.extensions import babel

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
SESSION_KEY = "language"


def select_locale() -> str:
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs speak the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user.is_authenticated and current_user.preferred_language in languages:
        return str(current_user.preferred_language)
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return str(chosen)
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def init_app(app: Flask) -> None:
    from listening_state import ROOT

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "listening_state" / "translations"),
    )

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES}
