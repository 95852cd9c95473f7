"""A constancia as documents: the view (plain data), the HTML page and the PDF.

Every word comes from `constancia.yml` (and the page's layout from `constancia.html.j2`), so the
HTML and the PDF say the same thing. The PDF is drawn with fpdf2 in DejaVu Sans, which
matplotlib ships, embedded as a subset: any entity or dimension name prints, accents included.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
from fpdf import FPDF, FontFace

from bot.constancia.code import Facts, number
from bot.contract import Attachment
from bot.report.render import make_environment
from bot.scoring import Scores
from bot.territory import Entity
from dialogues.messages import Catalog
from dialogues.questionnaire import Questionnaire
from nlu.numbers import format_number

HTML_TEMPLATE = "constancia.html.j2"
TEXTS = "constancia.yml"
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_INK, _MUTED, _RULE = (11, 79, 108), (90, 100, 108), (201, 211, 218)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    name: str
    value: float | None
    shown: str  # '62,5', or the words for no data
    level: str | None


@dataclass(frozen=True, slots=True)
class ConstanciaView:
    number: str
    code: str
    entity_title: str
    entity_code: str
    cycle: int
    submitted_at: datetime  # local time
    questionnaire_title: str
    version: str
    label: str
    overall: ScoreLine
    dimensions: tuple[ScoreLine, ...]
    provisional_levels: bool

    @property
    def stem(self) -> str:
        return f"constancia-{self.number}"


class ConstanciaRenderer:
    """Renders constancias from one templates folder; build it once (see `renderer`)."""

    def __init__(self, templates_dir: Path) -> None:
        self.env = make_environment(templates_dir)
        self.texts = Catalog.load(templates_dir / TEXTS)

    def text(self, key: str, **params: object) -> str:
        return self.texts.render(key, **params)

    def view(
        self,
        facts: Facts,
        code: str,
        scores: Scores,
        questionnaire: Questionnaire,
        entity: Entity,
        zone: ZoneInfo,
    ) -> ConstanciaView:
        no_data = self.text("constancia.no_data")

        def line(name: str, value: float | None, level: str | None) -> ScoreLine:
            return ScoreLine(name, value, no_data if value is None else format_number(value), level)

        return ConstanciaView(
            number=number(facts.cycle, facts.assessment_id, facts.ordinal),
            code=code,
            entity_title=entity.title,
            entity_code=entity.code,
            cycle=facts.cycle,
            submitted_at=facts.submitted_at.astimezone(zone),
            questionnaire_title=questionnaire.title,
            version=scores.questionnaire_version,
            label=questionnaire.label,
            overall=line(
                self.text("constancia.overall"),
                scores.overall.value,
                scores.level.name if scores.level else None,
            ),
            dimensions=tuple(
                line(d.name, d.score.value, d.level.name if d.level else None)
                for d in scores.dimensions
            ),
            provisional_levels="levels" in questionnaire.provisional,
        )

    def when(self, view: ConstanciaView) -> str:
        return self.text("constancia.when", d=view.submitted_at)

    def statement(self, view: ConstanciaView) -> str:
        return self.text(
            "constancia.statement",
            entity=view.entity_title,
            code=view.entity_code,
            when=self.when(view),
            cycle=view.cycle,
            title=view.questionnaire_title,
            version=view.version,
        )

    def _words(self, view: ConstanciaView) -> dict[str, str]:
        keys = (
            "title",
            "programme",
            "scores",
            "column_dimension",
            "column_score",
            "column_level",
            "provisional_levels",
            "code_label",
            "verify_note",
        )
        words = {k: self.text(f"constancia.{k}") for k in keys}
        words["number"] = self.text("constancia.number", number=view.number)
        words["statement"] = self.statement(view)
        words["scope"] = self.text("constancia.scope", label=view.label)
        return words

    def html(self, view: ConstanciaView) -> str:
        template = self.env.get_template(HTML_TEMPLATE)
        return template.render(v=view, w=self._words(view))

    def pdf(self, view: ConstanciaView) -> bytes:
        words = self._words(view)
        doc = FPDF(format="A4")
        doc.set_creation_date(view.submitted_at)  # the same constancia is the same file
        doc.set_title(f"{words['title']} {words['number']}")
        doc.set_lang("es-CO")
        doc.add_font("DejaVu", "", str(_FONTS / "DejaVuSans.ttf"))
        doc.add_font("DejaVu", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
        doc.set_margins(22, 20, 22)
        doc.add_page()

        def para(
            text: str,
            size: float,
            style: str = "",
            color: tuple[int, int, int] = _INK,
            align: str = "L",
            gap: float = 3,
        ) -> None:
            doc.set_font("DejaVu", style, size)
            doc.set_text_color(*color)
            doc.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
            doc.ln(gap)

        para(words["programme"], 9, color=_MUTED, align="C")
        para(words["title"], 18, "B", align="C", gap=1)
        para(words["number"], 12, "B", align="C", gap=8)
        para(words["statement"], 11, align="J")
        para(words["scope"], 9, color=_MUTED, align="J", gap=6)
        para(words["scores"], 12, "B", gap=2)
        doc.set_font("DejaVu", "", 10)
        doc.set_text_color(*_INK)
        doc.set_draw_color(*_RULE)
        with doc.table(
            col_widths=(95, 30, 41),
            text_align=("LEFT", "RIGHT", "LEFT"),
            line_height=6.5,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            head = table.row()
            for key in ("column_dimension", "column_score", "column_level"):
                head.cell(words[key])
            for item in (*view.dimensions, view.overall):
                row = table.row()
                style = FontFace(emphasis="BOLD") if item is view.overall else None
                for cell in (item.name, item.shown, item.level or "—"):
                    row.cell(cell, style=style)
        doc.ln(2)
        if view.provisional_levels:
            para(words["provisional_levels"], 9, color=_MUTED)
        doc.ln(4)
        para(words["code_label"], 10, "B", gap=1)
        para(view.code, 16, "B", gap=3)
        para(words["verify_note"], 9, color=_MUTED, align="J")
        return bytes(doc.output())

    def files(self, view: ConstanciaView) -> tuple[Attachment, Attachment]:
        return (
            Attachment(f"{view.stem}.pdf", "application/pdf", self.pdf(view)),
            Attachment(f"{view.stem}.html", "text/html", self.html(view).encode("utf-8")),
        )


@functools.cache
def renderer(templates_dir: Path) -> ConstanciaRenderer:
    """One renderer per templates folder: a long-running process compiles them once."""
    return ConstanciaRenderer(templates_dir)
