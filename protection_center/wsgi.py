"""The WSGI application (``gunicorn protection_center.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection_center.settings")
application = get_wsgi_application()
