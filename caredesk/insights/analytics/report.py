"""The report pack for one period: the workbook and the slide deck,
written into a folder under names that say the period and the scope. Learning cases arrive as
plain dicts from the face that calls this (the cases app sits beside this one, not below)."""

from pathlib import Path
from typing import Any

from django.utils import translation

from caredesk.directory.models import Person

from . import figures
from .deck import build_deck
from .filters import Filters
from .workbook import build_workbook


def pack_name(filters: Filters) -> str:
    parts = ["caredesk-report", filters.period.label]
    if filters.customer_id is not None:
        parts.append(f"customer{filters.customer_id}")
    if filters.office_id is not None:
        parts.append(f"office{filters.office_id}")
    return "-".join(parts)


def write_report(
    *,
    filters: Filters,
    viewer: Person,
    out_dir: Path,
    language: str = "zh-hans",
    cases: list[dict[str, Any]] | None = None,
) -> list[Path]:
    """Write the pack into `out_dir` and return the files written. Figures follow what
    `viewer` may see; a viewer who may see none gets NotFound before anything is written."""
    figures.check_reads_figures(viewer)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with translation.override(language):
        book = out_dir / f"{pack_name(filters)}.xlsx"
        build_workbook(filters, viewer, str(book))
        written.append(book)
        slides = out_dir / f"{pack_name(filters)}.pptx"
        build_deck(filters, viewer, str(slides), cases=cases or [])
        written.append(slides)
    return written
