"""The record of exports, as HR reads it: each document that left the portal, and the packs still stored.

The sign-off pack is recorded twice in ``policies.PolicyExport``: once when it is made (the row its
``PackJob.export`` points at) and once per download of the stored file (the same bytes: the same SHA-256).
This app knows both, so it tells them apart here; ``policies`` keeps the plain record.
"""

from dataclasses import dataclass

from policies.models import ExportKind, PolicyExport

from .models import PackJob

SHOWN = 500  # the newest exports on the page


@dataclass(frozen=True)
class ExportRow:
    """One export on the page: what it was, and the pack it made or copied (for sign-off packs)."""

    export: PolicyExport
    pack: PackJob | None = None  # the pack this export made, or downloaded a copy of

    @property
    def is_pack(self) -> bool:
        return self.export.kind == ExportKind.SIGNOFF_PACK

    @property
    def made_the_pack(self) -> bool:
        """The export recorded when the pack was made (not a later download of it)."""
        return self.pack is not None and self.pack.export_id == self.export.pk

    @property
    def what(self) -> str:
        if not self.is_pack:
            return f"{self.export.get_kind_display()} downloaded"
        if self.pack is None:  # its pack's record is gone from view: say only what it was
            return self.export.get_kind_display()
        return "Sign-off pack made" if self.made_the_pack else "Sign-off pack downloaded"

    @property
    def downloadable(self) -> bool:
        """The pack's file is still stored (each version keeps its last KEEP_PER_VERSION packs)."""
        return (
            self.made_the_pack
            and self.pack.state == PackJob.State.DONE  # type: ignore[union-attr]
            and bool(self.pack.file)  # type: ignore[union-attr]
        )


def export_rows(limit: int = SHOWN) -> list[ExportRow]:
    """The newest exports, newest first, each with its pack (made or downloaded). Two queries."""
    exports = list(PolicyExport.objects.select_related("version__policy", "exported_by")[:limit])
    prints = {e.file_sha256 for e in exports if e.kind == ExportKind.SIGNOFF_PACK}
    packs = {
        job.export.file_sha256: job
        for job in PackJob.objects.filter(export__file_sha256__in=prints)
        .select_related("export")
        .order_by("export__exported_at", "pk")
        .reverse()  # the first pack made of those bytes wins (there is only one: a pack's bytes are its own)
    }
    return [
        ExportRow(e, packs.get(e.file_sha256) if e.kind == ExportKind.SIGNOFF_PACK else None) for e in exports
    ]
