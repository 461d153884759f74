"""The peer for bench_peer.py: django-helpdesk in its own virtualenv with a minimal project.

Everything lives under var/bench/peer/ (made on first use, reused after): a virtualenv with
django-helpdesk and its dependencies at pinned versions, and a Django project that mounts
helpdesk at / on the same PostgreSQL server as CareDesk, with token authentication for its REST
API (CareDesk's API uses bearer tokens too) and mail to a dummy backend (CareDesk only writes
outbox rows while serving a request).
"""

import subprocess
import sys
from pathlib import Path

from bench.common import ROOT

HOME = ROOT / "var" / "bench" / "peer"
VENV = HOME / "venv"
PROJECT = HOME / "project"
# django-helpdesk 2.6.1 is tested with Django 5.2; the rest as pip resolved them on 2026-11-25.
PINS = [
    "django-helpdesk==2.6.1",
    "Django==5.2.19",
    "djangorestframework==3.18.3",
    "django-model-utils==5.0.0",
    "django-cleanup==9.0.0",
    "email-reply-parser==0.5.12",
    "Markdown==3.11.3",
    "beautifulsoup4==4.15.0",
    "soupsieve==4.1.3",
    "nh3==0.3.8",
    "oauthlib==4.0.1",
    "requests-oauthlib==2.0.0",
    "requests==2.34.2",
    "urllib3==2.8.0",
    "charset-normalizer==3.5.3",
    "certifi==2026.10.19.post1",
    "idna==3.20",
    "asgiref==3.13.0",
    "sqlparse==0.6.1",
    "typing_extensions==4.16.0",
    "gunicorn==27.0.1",
    "packaging==26.4",
    "psycopg==3.3.9",
    "psycopg-binary==3.3.9",
]

SETTINGS = """
import os
from urllib.parse import urlparse

url = urlparse(os.environ["PEER_DATABASE_URL"])
SECRET_KEY = "peer-benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peerproj.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": url.path.lstrip("/"),
    "USER": url.username or "", "HOST": url.hostname, "PORT": str(url.port or ""),
    "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
STATIC_URL = "static/"
LOGIN_URL = "/login/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HELPDESK_TEAMS_MODE_ENABLED = False
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [
    "rest_framework.authentication.TokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]}
"""

URLS = """
from django.urls import include, path
urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
"""

WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj.settings")
application = get_wsgi_application()
"""

# Run with the peer's python: migrate, one queue, one staff user, `n` tickets each with its
# "Ticket Opened" follow-up (as its own create path writes); prints JSON.
SETUP = """
import datetime as dt, json, os, random, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerproj.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from helpdesk.models import FollowUp, Queue, Ticket
from helpdesk.query import query_to_base64

call_command("migrate", verbosity=0)
n = int(sys.argv[1])
User = get_user_model()
staff = User.objects.create_superuser("staff", "staff@example.invalid", "staff")
queue = Queue.objects.create(title="Core network", slug="core", email_address="")
rng = random.Random(7)
start = timezone.now() - dt.timedelta(days=3 * 365)
step = dt.timedelta(seconds=3 * 365 * 86400 / max(n, 1))
titles = ["基站退服", "核心网告警", "用户无法上网", "cell site down", "core network alarm"]
batch = []
for i in range(n):
    at = start + step * i
    batch.append(Ticket(
        title=rng.choice(titles), queue=queue, created=at, modified=at,
        submitter_email="customer@example.invalid", description="今天早上开始基站断网。",
        status=rng.choices([1, 2, 3, 4], [8, 4, 3, 85])[0], priority=rng.choice([1, 2, 3, 4, 5]),
        assigned_to=staff,
    ))
    if len(batch) == 5000 or i == n - 1:
        made = Ticket.objects.bulk_create(batch)
        FollowUp.objects.bulk_create([
            FollowUp(ticket=t, title="Ticket Opened", comment=t.description, public=True,
                     date=t.created, user=staff)
            for t in made
        ])
        batch = []
from django.db import connection
connection.cursor().execute("ANALYZE")
session = SessionStore()
session["_auth_user_id"] = str(staff.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = staff.get_session_auth_hash()
session.create()
query = {"filtering": {"status__in": [1, 2]}, "sorting": "created", "search_string": "",
         "sortreverse": False}
print(json.dumps({
    "token": Token.objects.create(user=staff).key,
    "session": session.session_key,
    "queue": queue.pk,
    "list_query": query_to_base64(query),
    "view_id": Ticket.objects.order_by("-id").values_list("id", flat=True)[10],
}))
"""


def python() -> Path:
    return VENV / "bin" / "python"


def install() -> None:
    """The virtualenv and the project, once; later runs reuse them."""
    marker = VENV / ".installed-2.6.1"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(python()), "-m", "pip", "install", "-q", "--no-deps", *PINS], check=True
        )
        marker.touch()
    pkg = PROJECT / "peerproj"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "settings.py").write_text(SETTINGS)
    (pkg / "urls.py").write_text(URLS)
    (pkg / "wsgi.py").write_text(WSGI)
    (PROJECT / "setup_data.py").write_text(SETUP)
