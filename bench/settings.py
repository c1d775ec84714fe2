"""Settings for `make bench`: the project's own, DEBUG off, plus a URLconf with the baseline views.

Production code is untouched: only ROOT_URLCONF and a template folder are added here.
"""

from symphony_portal.settings import *  # noqa: F403
from symphony_portal.settings import BASE_DIR, TEMPLATES

DEBUG = False
ROOT_URLCONF = "bench.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
