"""The seed policy as a PDF: the portal's path (queries, template, child process) against WeasyPrint alone.

Prints median and best wall-clock times over several runs; exits non-zero only if it cannot run.
"""

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7


def timed(function) -> str:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return f"median {statistics.median(times):.2f} s, best {min(times):.2f} s ({RUNS} runs)"


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["SYMPHONY_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-policy-pdf-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony_portal.settings")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from pypdf import PdfReader

    from policies.models import PolicyVersion
    from policies.pdf import render_version_pdf, version_pdf_context
    from symphony_portal.lib.pdf import StaticAllowList, _render, render_pdf

    call_command("migrate", verbosity=0)
    call_command("load_seed_policy", verbosity=0)
    version = PolicyVersion.objects.get(policy__slug="social-media-policy", label="2016-2019")
    html = render_to_string("policies/pdf/version.html", version_pdf_context(version))
    allow_list = StaticAllowList.from_settings()

    first = time.perf_counter()
    pages = len(PdfReader(io.BytesIO(render_pdf(html))).pages)
    print(f"first render (starts the renderer's fork server): {time.perf_counter() - first:.2f} s")
    _render(html, allow_list, (), "pdf/a-3b")  # WeasyPrint's own first-use set-up, outside the timing
    print(f"seed policy, {pages} pages")
    print(
        "  WeasyPrint alone, in this process:       ",
        timed(lambda: _render(html, allow_list, (), "pdf/a-3b")),
    )
    print("  render_pdf (time-limited child process): ", timed(lambda: render_pdf(html)))
    print("  render_version_pdf (what the view does): ", timed(lambda: render_version_pdf(version)))


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["SYMPHONY_VAR_DIR"], ignore_errors=True)
