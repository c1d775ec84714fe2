"""The signed-off review pack: one PDF/A-3b document for the autumn review of a policy version.

Sign-off page, the policy, the acknowledgement register by school and the people outstanding, counts by
school and kind, counts of concern reports in the period (numbers only: ``reports.selectors.report_counts``
is all this module reads of reports), and the clause-level changes since, if a newer version exists. The
register is also attached as a formula-safe CSV, and the PDF is signed when a key is configured.

Speed, by design: WeasyPrint's table layout dominates a large register (a naive 2,000-row <table> takes
~14 s here, ``table-layout: fixed`` ~11 s). The register is instead laid out as one preformatted block of
fixed-width monospace lines per school (columns padded here, in Python): ~1 s for 2,000 rows. See
bench/bench_signoff_pack.py.

This module makes the document; ``pack_jobs`` runs it off the request path as a task (``tasks``), with a
heartbeat, a deadline and the files kept through the private storage.
"""

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from policies.diff import compare
from policies.models import PolicyVersion
from policies.pdf import version_pdf_filename
from policies.selectors import fingerprint, outline
from reports.selectors import report_counts
from symphony_portal.lib.csv_export import csv_text
from symphony_portal.lib.pdf import PDFAttachment, render_pdf, sign_pdf, signing_configured
from symphony_portal.trust.models import Kind, School

from .models import Acknowledgement
from .selectors import (
    CENTRAL_TEAM,
    REGISTER_HEADER,
    Scope,
    carry_over_notes,
    compliance,
    counting_acknowledgements,
    outstanding,
    round_of,
    round_start,
    trust_summary,
)

CSV_NAME = "acknowledgement-register.csv"
# Characters per column of a register line (DejaVu Sans Mono at 7pt: ~104 fit the A4 text width).
ACKNOWLEDGED_COLUMNS = (("Name", 27), ("Kind", 9), ("Role", 27), ("Acknowledged at", 17), ("Fingerprint", 16))
OUTSTANDING_COLUMNS = (("Name", 27), ("Kind", 9), ("Job title", 40))
FINGERPRINT_SHOWN = 14


@dataclass(frozen=True)
class SignoffPack:
    content: bytes
    filename: str
    signed: bool
    register_rows: int  # acknowledged and outstanding people


@dataclass
class RegisterGroup:
    """One school's (or the central team's) lines of the register, as fixed-width text."""

    name: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def line(cells, columns) -> str:
    """Cells padded to their column widths: one register line, or more where a cell is too long.

    A long cell (a Head's several roles, a long name) wraps onto continuation lines within its own column
    rather than being cut: the register must say everything it records.
    """
    wrapped = []
    for text, (_title, width) in zip(cells, columns, strict=True):
        text = " ".join(str(text).split())  # no newlines or tabs can break the columns
        pieces = textwrap.wrap(text, width - 1, break_long_words=True, break_on_hyphens=False) or [""]
        wrapped.append(pieces)
    rows = []
    for i in range(max(len(pieces) for pieces in wrapped)):
        row = "".join(
            (pieces[i] if i < len(pieces) else "").ljust(width)
            for pieces, (_t, width) in zip(wrapped, columns, strict=True)
        )
        rows.append(row.rstrip())
    return "\n".join(rows)


def heading_line(columns) -> str:
    return line([title for title, _width in columns], columns)


def pack_filename(version: PolicyVersion, made_at: datetime | None = None) -> str:
    """social-media-policy-2016-2019-signoff-2026-11-25-143205.pdf: the local time it was made, to the second,
    so two packs of a version made the same day have different names (finish_pack_job makes sure)."""
    made_at = timezone.localtime(made_at or timezone.now())
    return version_pdf_filename(version, suffix=f"signoff-{made_at:%Y-%m-%d-%H%M%S}")


def _humanise(value: str) -> str:
    return value.replace("_", " ").capitalize()


def pack_context(version: PolicyVersion, *, now: datetime | None = None) -> dict:
    """Everything the pack shows, read in a constant number of queries whatever the trust's size."""
    now = now or timezone.now()
    kinds = dict(Kind.choices)
    zone = timezone.get_current_timezone()
    sections = outline(version)
    version_print = fingerprint(version, sections=sections)

    # The records that count for this version: its own, those carried over to it by minor changes, and
    # for a yearly policy's live version those of the round open now.
    notes = carry_over_notes()
    this_round = round_of(round_start(version))
    acknowledged = list(
        Acknowledgement.objects.filter(counting_acknowledgements(version))
        .order_by("school_name", "person__full_name", "pk")
        .values_list(
            "person__full_name",
            "person__email",
            "kind",
            "school_name",
            "role_labels",
            "job_title",
            "acknowledged_at",
            "statement",
            "fingerprint",
            "round_starts_on",
            "version_id",
            "version__label",
        )
    )
    waiting = list(
        outstanding(version)
        .order_by(F("school__name").asc(nulls_last=True), "kind", "full_name", "pk")
        .values_list("full_name", "email", "kind", "school__name", "job_title")
    )

    register: dict[str, RegisterGroup] = {}
    csv_rows = []
    other_prints = 0
    carried_over = 0
    for (
        name,
        email,
        kind,
        school,
        roles,
        job,
        at,
        statement,
        print_,
        start,
        signed_id,
        signed,
    ) in acknowledged:
        when = at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        mark = "" if print_ == version_print else " *"
        other_prints += bool(mark)
        register.setdefault(school, RegisterGroup(school)).lines.append(
            line(
                [name, kinds[kind], roles or job, when, print_[:FINGERPRINT_SHOWN] + mark],
                ACKNOWLEDGED_COLUMNS,
            )
        )
        # A carried-over record is listed under the version signed, with the note that says so.
        note = notes.get(signed_id, "") if signed_id != version.pk else ""
        carried_over += bool(note)
        row = [version.title, signed, name, email, kinds[kind], school, roles, job]
        csv_rows.append(row + ["Acknowledged", when, statement, print_, round_of(start), note])
    still_waiting: dict[str, RegisterGroup] = {}
    for name, email, kind, school, job in waiting:
        school = school or CENTRAL_TEAM
        still_waiting.setdefault(school, RegisterGroup(school)).lines.append(
            line([name, kinds[kind], job], OUTSTANDING_COLUMNS)
        )
        row = [version.title, version.label, name, email, kinds[kind], school, "", job]
        csv_rows.append(row + ["Outstanding", "", "", "", this_round, ""])

    scope = Scope(schools=list(School.objects.order_by("name")), central=True, whole_trust=True)
    groups = compliance(version, scope)
    whole_trust = trust_summary(groups)
    until = version.superseded_at or now
    counts = report_counts(since=version.published_at, until=until)

    newer = (
        PolicyVersion.objects.adopted()
        .filter(policy_id=version.policy_id, created_at__gt=version.created_at)
        .order_by("-created_at")
        .first()
    )
    comparison = compare(sections, outline(newer)) if newer else None
    return {
        "TRUST_NAME": settings.TRUST_NAME,
        "policy": version.policy,
        "version": version,
        "sections": sections,
        "fingerprint": version_print,
        "current": newer,
        "today": timezone.localdate(now),
        "made_at": now,
        "signed": signing_configured(),
        "register": list(register.values()),
        "acknowledged_count": len(acknowledged),
        "carried_over_count": carried_over,
        "round": this_round,
        "other_prints": other_prints,
        "fingerprint_shown": FINGERPRINT_SHOWN,
        "register_heading": heading_line(ACKNOWLEDGED_COLUMNS),
        "outstanding": list(still_waiting.values()),
        "outstanding_count": len(waiting),
        "outstanding_heading": heading_line(OUTSTANDING_COLUMNS),
        "kinds": Kind.choices,
        "summary_rows": [_summary_row(group) for group in groups],
        "whole_trust": whole_trust,
        "whole_trust_row": _summary_row(whole_trust),
        "signatories": [
            f"Chair, {version.approved_by_body or 'the approving body'}",
            "Executive Head Teacher",
            "HR, for the trust",
        ],
        "period_start": version.published_at,
        "period_end": until,
        "period_open": version.superseded_at is None,
        "report_total": counts["total"],
        "reports_by_status": [(_humanise(k), n) for k, n in counts["by_status"].items()],
        "reports_by_outcome": [(_humanise(k), n) for k, n in counts["by_outcome"].items()],
        "newer": newer,
        "comparison": comparison,
        "changed_sections": [s for s in comparison.sections if _has_changes(s)] if comparison else [],
        "csv_name": CSV_NAME,
        "csv_rows": csv_rows,
        "csv_text": csv_text(REGISTER_HEADER, csv_rows),
    }


def _summary_row(group) -> dict:
    """A school's counts in the order of the kinds, None where it has nobody of a kind."""
    cells = [group.tallies.get(kind) for kind in Kind.values]
    return {"name": group.name, "cells": [c if c and c.total else None for c in cells], "all": group}


def _has_changes(section) -> bool:
    return section.status != "unchanged" or any(item.kind != "unchanged_run" for item in section.items)


def pack_html(context: dict) -> str:
    return render_to_string("acknowledgements/pdf/signoff_pack.html", context)


def build_signoff_pack(
    version: PolicyVersion,
    *,
    timeout: float | None = None,
    progress: Callable[[str], object] | None = None,
) -> SignoffPack:
    """The pack as PDF bytes, signed when signing is configured. Raises PDFRenderError/PDFSigningError.

    ``progress`` is told what is being done ("Laying out the PDF") at each step and, while the PDF is
    laid out, called again every few seconds with the same words: a task's heartbeat. What it raises
    stops the build.
    """
    say = progress or (lambda _words: None)
    say("Reading the register")
    context = pack_context(version)
    say("Laying out the PDF")
    pdf = render_pdf(
        pack_html(context),
        attachments=[
            PDFAttachment(
                CSV_NAME,
                context["csv_text"],
                description=f"Acknowledgement register of {version}, as a spreadsheet (CSV).",
            )
        ],
        timeout=settings.SIGNOFF_PACK_TIMEOUT_SECONDS if timeout is None else timeout,
        heartbeat=lambda: say("Laying out the PDF"),
        heartbeat_every=settings.SIGNOFF_PACK_HEARTBEAT_SECONDS,
    )
    signed = context["signed"]
    if signed:
        say("Signing")
        pdf = sign_pdf(pdf, reason=f"Signed-off review pack of {version}")
    return SignoffPack(
        content=pdf,
        filename=pack_filename(version, context["made_at"]),
        signed=signed,
        register_rows=context["acknowledged_count"] + context["outstanding_count"],
    )
