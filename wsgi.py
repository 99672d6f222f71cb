"""WSGI entry point: `gunicorn wsgi:app`."""

from listening_state import create_app

app = create_app()
