"""The report deck opened with python-pptx: the expected slides, the chart images, and each
learning case told as customer voice, event replay and lessons."""

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from caredesk.insights.analytics.filters import Filters, parse_period
from caredesk.insights.analytics.report import write_report

CASE = {
    "title": "推诿与联系不上",
    "tags": ["推诿", "核心网"],
    "customer_voice": "打了三个电话都没人管。",
    "event_replay": [
        {"at": "2026-02-10 10:00", "actor": "客户", "what": "报障"},
        {"at": "2026-02-10 12:00", "actor": "工程师A", "what": "转交被拒绝"},
    ],
    "analysis": "转交前未确认对方接手。",
    "lessons": "转交必须有人接手才算完成。",
    "actions": ["转交须经对方接受"],
}


def _texts(slide):
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _pictures(slide):
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_deck_has_title_figures_chart_images_and_case_sections(world, tmp_path):
    files = write_report(
        filters=Filters(period=parse_period("2026H1")),
        viewer=world.cast.a,
        out_dir=tmp_path,
        cases=[CASE],
    )
    deck = Presentation(str(next(p for p in files if p.suffix == ".pptx")))
    slides = list(deck.slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[:4] == ["服务报告 2026H1", "概览", "典型问题（帕累托图）", "各维度满意度"]
    assert "收到的投诉: 4" in _texts(slides[1])
    assert len(_pictures(slides[2])) == 1 and len(_pictures(slides[3])) == 1
    assert titles[4:] == [
        "推诿与联系不上 — 客户声音",
        "推诿与联系不上 — 事件回放",
        "推诿与联系不上 — 经验教训",
    ]
    assert "打了三个电话都没人管。" in _texts(slides[4])
    assert "工程师A: 转交被拒绝" in _texts(slides[5])


def test_an_empty_period_deck_has_no_chart_slides_and_no_cases(world, tmp_path):
    files = write_report(
        filters=Filters(period=parse_period("2025-01")), viewer=world.cast.a, out_dir=tmp_path
    )
    deck = Presentation(str(files[1]))
    assert len(deck.slides) == 2
    assert all(not _pictures(s) for s in deck.slides)


def test_deck_keeps_every_summary_figure_and_fits_long_titles(world, tmp_path):
    """What the rendered slides showed wrong (docs/img/report/): a summary cut after twelve
    figures, a case title wrapping into the body at 44 pt, the layout's bullet doubled by a
    typed one, and a customer's blank line shown as an empty bullet."""
    from caredesk.insights.analytics.workbook import summary_rows

    filters = Filters(period=parse_period("2026H1"))
    voice = dict(CASE, title="推诿 · 基站软件需要现场升级", customer_voice="第一段。\n\n第二段。")
    files = write_report(filters=filters, viewer=world.cast.a, out_dir=tmp_path, cases=[voice])
    slides = list(Presentation(str(files[1])).slides)
    summary = [p.text for p in slides[1].placeholders[1].text_frame.paragraphs]
    figures = summary_rows(filters, world.cast.a)
    assert len(figures) > 12 and len(summary) == len(figures)
    assert summary[-1].startswith("未接通的电话")
    title = slides[4].shapes.title.text_frame.paragraphs[0].runs[0]
    assert title.text == "推诿 · 基站软件需要现场升级 — 客户声音" and title.font.size.pt < 44
    body = [p.text for p in slides[4].placeholders[1].text_frame.paragraphs]
    assert body == ["第一段。", "第二段。", "推诿 · 核心网"]
    lessons = [p.text for p in slides[6].placeholders[1].text_frame.paragraphs]
    assert lessons[-1] == "转交须经对方接受"
