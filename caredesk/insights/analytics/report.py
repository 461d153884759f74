"""The report pack for one period: the workbook and the slide deck,
written into a folder under names that say the period and the scope. Learning cases arrive as
plain dicts from the face that calls this (the cases app sits beside this one, not below)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from caredesk.directory.models import Person

from . import figures
from .deck import Step, build_deck, no_step, section_count
from .filters import Filters
from .workbook import build_workbook, summary_rows


@dataclass(frozen=True)
class SharedFigures:
    """The figures both files show, computed once per pack: the summary (every headline
    figure: withdrawal, complaint times, SLA compliance, leading indicators), the Pareto
    rows and satisfaction by month."""

    summary: list[dict[str, Any]]
    pareto: list[dict[str, Any]]
    by_month: list[dict[str, Any]]

    @classmethod
    def of(cls, filters: Filters, viewer: Person) -> "SharedFigures":
        return cls(
            summary=summary_rows(filters, viewer),
            pareto=figures.complaints_pareto(filters, viewer),
            by_month=figures.satisfaction(filters, viewer, by="period"),
        )


def pack_name(filters: Filters) -> str:
    parts = ["caredesk-report", filters.period.label]
    if filters.customer_id is not None:
        parts.append(f"customer{filters.customer_id}")
    if filters.office_id is not None:
        parts.append(f"office{filters.office_id}")
    return "-".join(parts)


def step_count(cases: list[dict[str, Any]]) -> int:
    """How many steps write_report announces: the workbook, then each deck section."""
    return 1 + section_count(cases)


def write_report(
    *,
    filters: Filters,
    viewer: Person,
    out_dir: Path,
    language: str = "zh-hans",
    cases: list[dict[str, Any]] | None = None,
    step: Step = no_step,
) -> list[Path]:
    """Write the pack into `out_dir` and return the files written. Figures follow what
    `viewer` may see; a viewer who may see none gets NotFound before anything is written.
    `step(label)` is called as each step (see step_count) starts, in `language`."""
    figures.check_reads_figures(viewer)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with translation.override(language):
        step(_("Workbook"))
        shared = SharedFigures.of(filters, viewer)
        book = out_dir / f"{pack_name(filters)}.xlsx"
        build_workbook(filters, viewer, str(book), shared=shared)
        written.append(book)
        slides = out_dir / f"{pack_name(filters)}.pptx"
        build_deck(filters, viewer, str(slides), cases=cases or [], step=step, shared=shared)
        written.append(slides)
    return written
