"""The WSGI entry point: gunicorn dashboard.wsgi:server (and celery -A dashboard.wsgi)."""

from dashboard.app import create_app
from dashboard.background import celery_app_of

app = create_app()
server = app.server
celery_app = celery_app_of(app)
