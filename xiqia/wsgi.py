"""WSGI entry point (gunicorn xiqia.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiqia.settings")
application = get_wsgi_application()
