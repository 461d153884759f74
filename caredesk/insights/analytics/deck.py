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
from matplotlib.ticker import MaxNLocator, PercentFormatter
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
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 of a complaint
    line = bars.twinx()
    line.plot(labels, [r["cumulative"] for r in rows], color="#C00000", marker="o")
    line.set_ylim(0, 1.05)
    line.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
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
    # Below the axes, in one row: inside them it covered the last group's bars.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(figures.DIMENSIONS))
    return _png(fig)


def _title_slide(deck, title: str, subtitle: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle


def _fit_title(slide, title: str) -> None:
    """The layout's 44 pt fits about 14 CJK characters on a line: a longer title (a case's,
    with its section) gets smaller type so it keeps to one line above the body."""
    slide.shapes.title.text = title
    if len(title) > 14:
        size = Pt(max(20, min(44, 600 // len(title))))
        for p in slide.shapes.title.text_frame.paragraphs:
            for run in p.runs:
                run.font.size = size


def _body_size(lines: list[str]) -> Pt:
    """Type small enough for the body to fit its placeholder (about 5 inches tall, 50 CJK
    characters a line at 16 pt): counted in wrapped lines."""
    wrapped = sum(1 + len(line) // 50 for line in lines)
    return Pt(18 if wrapped <= 8 else 16 if wrapped <= 12 else 14 if wrapped <= 18 else 12)


def _text_slide(deck, title: str, lines: list[str]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    _fit_title(slide, title)
    # Blank lines inside a text (a customer's words in paragraphs) would show as empty bullets.
    lines = [part for line in lines for part in line.splitlines() if part.strip()]
    body = slide.placeholders[1].text_frame
    body.text = lines[0] if lines else ""
    for line in lines[1:]:
        body.add_paragraph().text = line
    size = _body_size(lines)
    for p in body.paragraphs:
        for run in p.runs:
            run.font.size = size


def _image_slide(deck, title: str, png: io.BytesIO) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    _fit_title(slide, title)
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
    shared=None,
) -> None:
    """Write the deck to `target` (a path or a binary file), calling `step(label)` as each
    section (see section_count) starts. `shared`: the figures the workbook shows too
    (report.SharedFigures), when already computed."""
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
            for r in (shared.summary if shared else summary_rows(filters, viewer))
        ],
    )
    step(_("Slides: typical problems"))
    pareto = shared.pareto if shared else figures.complaints_pareto(filters, viewer)
    if pareto:
        _image_slide(deck, _("Typical problems (Pareto)"), pareto_png(pareto))
    step(_("Slides: satisfaction"))
    satisfaction = shared.by_month if shared else figures.satisfaction(filters, viewer, by="period")
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
            [case["analysis"], case["lessons"], *case["actions"]],
        )
    deck.save(target)
