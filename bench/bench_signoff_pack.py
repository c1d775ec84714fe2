"""The signed-off review pack at 500 and 2,000 acknowledgements: the portal's path against WeasyPrint alone.

For each size a child process builds its own throwaway SQLite trust (load_seed_policy, generate_trust),
saves the pack's HTML once, and times in the same run:
  - WeasyPrint alone on that saved HTML (in this process, PDF/A-3b, the CSV attached): the floor;
  - build_signoff_pack (queries, templates, CSV, the time-limited child process): what the job does;
  - the portal's overhead, (pack - WeasyPrint) / WeasyPrint;
and, at 2,000, the register laid out as a naive <table> of the same rows (one <td> per value, the layout
the pack avoids) against the register as the pack lays it out, both rendered by WeasyPrint alone.
Prints figures only; exits non-zero only if it cannot run.
"""

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 3
SIZES = {500: 715, 2000: 2860}  # acknowledgements wanted: people to generate (70% acknowledge)


def best_and_median(function) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def naive_register_html(context: dict) -> str:
    from django.utils.html import escape

    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in (r[2], r[4], r[6], r[9], r[11][:14])) + "</tr>"
        for r in context["csv_rows"]
        if r[8] == "Acknowledged"
    )
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Naive register</title>'
        '<link rel="stylesheet" href="/static/css/pdf.css"><style>td{border-bottom:0.5pt solid #ccc;'
        "font-size:7pt}</style></head><body><table><thead><tr><th>Name</th><th>Kind</th><th>Role</th>"
        "<th>Acknowledged at</th><th>Fingerprint</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )


def lines_register_html(context: dict) -> str:
    from django.utils.html import escape

    blocks = "".join(
        f'<h2 class="register-school">{escape(g.name)}</h2><pre class="register-lines">'
        f'<span class="register-heading">{escape(context["register_heading"])}</span>\n{escape(g.text)}</pre>'
        for g in context["register"]
    )
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Register</title>'
        f'<link rel="stylesheet" href="/static/css/pdf.css"></head><body>{blocks}</body></html>'
    )


def child(people: int) -> dict:
    os.environ["SYMPHONY_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-signoff-pack-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symphony_portal.settings")
    try:
        import django

        django.setup()
        import logging

        logging.disable(logging.WARNING)
        from django.core.management import call_command

        from acknowledgements.pack import CSV_NAME, build_signoff_pack, pack_context, pack_html
        from policies.models import PolicyVersion
        from symphony_portal.lib.pdf import PDFAttachment, StaticAllowList, _render

        call_command("migrate", verbosity=0)
        call_command("load_seed_policy", verbosity=0)
        call_command("generate_trust", "--schools", "12", "--people", str(people), stdout=io.StringIO())
        version = PolicyVersion.objects.get(policy__slug="social-media-policy", label="2016-2019")

        context = pack_context(version)
        html = pack_html(context)  # saved once: WeasyPrint alone renders exactly this
        attachments = (PDFAttachment(CSV_NAME, context["csv_text"]),)
        allow_list = StaticAllowList.from_settings()
        render_alone = lambda: _render(html, allow_list, attachments, "pdf/a-3b")  # noqa: E731
        render_alone()  # first-use set-up (fonts, imports) outside the timing
        build_signoff_pack(version)  # starts the renderer's fork server
        weasy = best_and_median(render_alone)
        portal = best_and_median(lambda: build_signoff_pack(version))
        prepare = best_and_median(lambda: pack_html(pack_context(version)))
        result = {
            "acknowledged": context["acknowledged_count"],
            "outstanding": context["outstanding_count"],
            "weasyprint": weasy,
            "pack": portal,
            "queries_and_templates": prepare,
        }
        if context["acknowledged_count"] >= 1500:
            naive, lines = naive_register_html(context), lines_register_html(context)
            result["naive_table"] = best_and_median(lambda: _render(naive, allow_list, (), "pdf/a-3b"))
            result["register_lines"] = best_and_median(lambda: _render(lines, allow_list, (), "pdf/a-3b"))
        return result
    finally:
        shutil.rmtree(os.environ["SYMPHONY_VAR_DIR"], ignore_errors=True)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    results = {}
    for wanted, people in SIZES.items():
        output = subprocess.run(  # noqa: S603 - this script, with a number
            [sys.executable, __file__, "--child", str(people)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results[wanted] = json.loads(output.strip().splitlines()[-1])
    print(f"Signed-off review pack (seed policy, 12 schools; best of {RUNS} runs, median in brackets)")
    for r in results.values():
        (w, wm), (p, pm), (q, _) = r["weasyprint"], r["pack"], r["queries_and_templates"]
        print(f"  {r['acknowledged']} acknowledged, {r['outstanding']} outstanding:")
        print(f"    WeasyPrint alone on the saved HTML: {w:6.2f} s ({wm:.2f})")
        print(f"    build_signoff_pack (the job):       {p:6.2f} s ({pm:.2f})")
        print(f"      of which queries + templates:    {q:6.2f} s")
        print(f"    portal overhead: {100 * (p - w) / w:+.1f}% of WeasyPrint's own time (aim: under 15%)")
    small, large = results[500], results[2000]
    growth = large["pack"][0] / small["pack"][0]
    rows = (large["acknowledged"] + large["outstanding"]) / (small["acknowledged"] + small["outstanding"])
    print(f"  growth 2000 vs 500: pack x{growth:.2f} for x{rows:.2f} people in the register")
    if "naive_table" in large:
        naive, lines = large["naive_table"][0], large["register_lines"][0]
        print(f"  the register alone, {large['acknowledged']} rows, WeasyPrint alone:")
        print(f"    naive <table> (the baseline): {naive:6.2f} s")
        print(f"    fixed-width lines (the pack): {lines:6.2f} s  ({naive / lines:.1f}x faster)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        main()
