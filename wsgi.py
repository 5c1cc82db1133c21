"""The WSGI entry point for gunicorn and `flask --app wsgi`."""

from mend.platform import create_app

app = create_app()
