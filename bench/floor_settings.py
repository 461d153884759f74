"""Settings of bench_peer's bare-Django floor server: CareDesk's own, with no middleware and
bench/djangofloor.py's URLconf (one view that replays a recorded request's statements)."""

from caredesk.settings import *  # noqa: F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.djangofloor"
