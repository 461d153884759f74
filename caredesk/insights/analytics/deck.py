"""The report's slide deck (python-pptx): a title, the period's figures, the typical-problems
Pareto and the satisfaction chart as images rendered offline by matplotlib with the WenQuanYi
CJK font (python-pptx has no combined bar + line chart), then each learning case on its slides
as customer voice, event replay and lessons. Cases arrive as plain dicts (see report.py)."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.figure import Figure
from pptx import Presentation
from pptx.util import Inches, Pt

from caredesk.directory.models import Person

from . import figures
from .filters import Filters
from .workbook import summary_rows

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _use_cjk_font() -> None:
    if CJK_FONT.exists():
        font_manager.fontManager.addfont(str(CJK_FONT))
        name = font_manager.FontProperties(fname=str(CJK_FONT)).get_name()
        matplotlib.rcParams["font.family"] = [name, "sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False


def _png(fig: Figure) -> io.BytesIO:
    # A bare Figure (no pyplot): no global state, no display, the Agg canvas by default.
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    out.seek(0)
    return out


def pareto_png(rows: list[dict[str, Any]]) -> io.BytesIO:
    fig = Figure(figsize=(9, 4.5))
    bars = fig.subplots()
    labels = [r["label"] for r in rows]
    bars.bar(labels, [r["count"] for r in rows], color="#4472C4", label=_("Complaints"))
    bars.set_ylabel(_("Complaints"))
    line = bars.twinx()
    line.plot(labels, [r["cumulative"] for r in rows], color="#C00000", marker="o")
    line.set_ylim(0, 1.05)
    line.set_ylabel(_("Cumulative share"))
    bars.set_title(_("Typical problems (Pareto)"))
    for tick in bars.get_xticklabels():
        tick.set_rotation(20)
        tick.set_horizontalalignment("right")
    return _png(fig)


def satisfaction_png(rows: list[dict[str, Any]]) -> io.BytesIO:
    labels = figures.measure_labels()
    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    width = 0.8 / len(figures.DIMENSIONS)
    for i, d in enumerate(figures.DIMENSIONS):
        xs = [n + i * width for n in range(len(rows))]
        ax.bar(xs, [r[d] for r in rows], width=width, label=labels[d])
    ax.set_xticks([n + 0.4 - width / 2 for n in range(len(rows))], [r["label"] for r in rows])
    ax.set_ylim(0, 5)
    ax.set_title(_("Satisfaction per dimension"))
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _title_slide(deck, title: str, subtitle: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle


def _text_slide(deck, title: str, lines: list[str]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    body.text = lines[0] if lines else ""
    for line in lines[1:]:
        body.add_paragraph().text = line
    for p in body.paragraphs:
        for run in p.runs:
            run.font.size = Pt(16)


def _image_slide(deck, title: str, png: io.BytesIO) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = title
    slide.shapes.add_picture(png, Inches(0.5), Inches(1.5), width=Inches(9))


Step = Callable[[str], None]


def no_step(label: str) -> None:
    pass


def section_count(cases: list[dict[str, Any]]) -> int:
    """How many sections build_deck announces: summary, Pareto, satisfaction, one per case."""
    return 3 + len(cases)


def build_deck(
    filters: Filters,
    viewer: Person,
    target,
    *,
    cases: list[dict[str, Any]],
    step: Step = no_step,
) -> None:
    """Write the deck to `target` (a path or a binary file), calling `step(label)` as each
    section (see section_count) starts."""
    _use_cjk_font()
    deck = Presentation()
    step(_("Slides: summary"))
    _title_slide(
        deck,
        _("Service report %(period)s") % {"period": filters.period.label},
        _("Typical problems, satisfaction and learning cases"),
    )
    _text_slide(
        deck,
        _("Summary"),
        [
            f"{r['figure']}: {'—' if r['value'] is None else r['value']}"
            for r in summary_rows(filters, viewer)
        ][:12],
    )
    step(_("Slides: typical problems"))
    pareto = figures.complaints_pareto(filters, viewer)
    if pareto:
        _image_slide(deck, _("Typical problems (Pareto)"), pareto_png(pareto))
    step(_("Slides: satisfaction"))
    satisfaction = figures.satisfaction(filters, viewer, by="period")
    if satisfaction:
        _image_slide(deck, _("Satisfaction per dimension"), satisfaction_png(satisfaction))
    voice, replay, lessons = _("Customer voice"), _("Event replay"), _("Lessons")
    for case in cases:
        step(_("Slides: case %(title)s") % {"title": case["title"]})
        _text_slide(
            deck,
            f"{case['title']} — {voice}",
            [case["customer_voice"], " · ".join(case["tags"])],
        )
        _text_slide(
            deck,
            f"{case['title']} — {replay}",
            [f"{e['at']}  {e['actor']}: {e['what']}" for e in case["event_replay"]][:14],
        )
        _text_slide(
            deck,
            f"{case['title']} — {lessons}",
            [case["analysis"], case["lessons"], *[f"• {a}" for a in case["actions"]]],
        )
    deck.save(target)
