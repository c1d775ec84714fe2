# The two commands (README.md): `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Debian packages the tests need: a browser for the journeys, and PDF tools and fonts for the exports.
SYSTEM_PACKAGES := chromium qpdf poppler-utils fonts-dejavu-core

.PHONY: run test lint pytest setup demo system-deps oidc-provider-deps bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the declared dependencies change (a second `make run` starts at once).
$(VENV)/.stamp-runtime: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-runtime
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

var:
	mkdir -p var

setup: $(VENV)/.stamp-runtime | var
	$(PY) manage.py migrate --no-input -v 0
	$(MAKE) --no-print-directory demo

# Idempotent: each loader leaves what is already there alone.
demo:
	$(PY) manage.py load_demo_trust
	$(PY) manage.py load_seed_policy
	$(PY) manage.py load_demo_library
	$(PY) manage.py load_demo_acknowledgements
	$(PY) manage.py load_demo_review
	$(PY) manage.py load_demo_approvals
	$(PY) manage.py load_demo_reports

run: setup
	@echo ""
	@echo "Demo sign-ins (password for all: symphony-demo-2026):"
	@echo "  member of staff     tom.baker@symphony.example      (Harmony Primary School)"
	@echo "  Head Teacher        sarah.okafor@symphony.example   (Harmony Primary School)"
	@echo "  Head of School      david.lin@symphony.example      (Crescendo Academy)"
	@echo "  Executive Head      helen.marsh@symphony.example"
	@echo "  HR                  priya.shah@symphony.example"
	@echo "  governor            margaret.ellis@symphony.example (Harmony Primary School)"
	@echo "  trustee (Chair)     graham.holt@symphony.example"
	@echo "  trust administrator sam.fletcher@symphony.example  (superuser: grants Heads', the Executive Head's, the Chair's and HR's roles)"
	@echo "  (Heads, the Executive Head, HR, the Chair and the administrator set up an authenticator app at their first sign-in)"
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)/ with two task workers (mail, the sign-off pack, imports); Ctrl+C stops all three."
	@export DJANGO_DEBUG=1 SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(PY) manage.py db_worker --no-reload --interval 1 & first=$$!; \
	$(PY) manage.py db_worker --no-reload --interval 1 & second=$$!; \
	trap 'kill $$first $$second 2>/dev/null; wait $$first $$second 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Installs the Debian packages the tests need when they are missing and we are root; otherwise says
# what to install (the tests that need them are then skipped, except with CI=true, where they fail).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v qpdf >/dev/null || missing="$$missing qpdf"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing. Install them with: sudo apt-get install$$missing"; \
	  fi; \
	fi

lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v 1
	$(VENV)/bin/mypy

# The single sign-on tests' OpenID Connect provider (node, tests/oidc_provider/, exact pins in its
# package-lock.json). Without node the tests that need it are skipped, except with CI=true, where they fail.
# Installed once per change of its lock file (a stamp), so two test runs at once do not reinstall it.
oidc-provider-deps:
	@if command -v npm >/dev/null; then \
	  if [ ! tests/oidc_provider/node_modules/.stamp -nt tests/oidc_provider/package-lock.json ]; then \
	    npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error \
	      && touch tests/oidc_provider/node_modules/.stamp; \
	  fi; \
	elif [ "$$CI" = true ]; then \
	  echo "node and npm (20+) are needed for the single sign-on tests: install nodejs"; exit 1; \
	else \
	  echo "node and npm (20+) are missing: the single sign-on tests will be skipped (install nodejs)"; \
	fi

pytest: $(VENV)/.stamp-test system-deps oidc-provider-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint pytest

# Figures, not pass/fail: each bench/bench_*.py prints what it measured (see bench/README.md).
bench: $(VENV)/.stamp-test | var
	@set -e; for script in bench/bench_*.py; do \
	  [ -e "$$script" ] || { echo "No benchmarks yet."; break; }; \
	  echo "== $$script"; $(PY) "$$script"; \
	done

clean:
	rm -rf $(VENV) var staticfiles
