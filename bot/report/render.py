"""Rendering a report: the chat summary, the self-contained HTML page and the radar PNG.

Templates come from the folder the caller passes (the configured `data.templates`); a
`ReportRenderer` holds one Jinja2 environment so a long-running process compiles each template
once. Undefined template variables are errors (`StrictUndefined`) and HTML is autoescaped, so an
entity or contact name can never inject markup.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.analytics.peers import PeerComparison
from bot.report.radar import png_size, radar_png
from bot.report.view import ReportView, report_view
from bot.scoring import Scores
from bot.territory import Entity
from dialogues.messages import Catalog
from dialogues.questionnaire import Questionnaire
from nlu.numbers import format_number, format_percent

SUMMARY_TEMPLATE = "summary.txt.j2"
HTML_TEMPLATE = "report.html.j2"


@dataclass(frozen=True, slots=True)
class Report:
    summary: str
    html: str
    radar_png: bytes


def tone(value: float | None) -> str:
    """A CSS class for a score's colour: five bands of 20 points, 'tn' without data."""
    if value is None:
        return "tn"
    return f"t{min(int(value // 20), 4)}"


def sentence(text: str) -> str:
    """Upper-case the first letter only ('capitalize' would lower-case 'MinTIC')."""
    return text[:1].upper() + text[1:]


def make_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = format_number
    env.filters["pct"] = format_percent
    env.filters["tone"] = tone
    env.filters["sentence"] = sentence
    return env


class ReportRenderer:
    """Renders reports from one templates folder; build it once and reuse it."""

    def __init__(self, templates_dir: Path, mailbox: str) -> None:
        self.env = make_environment(templates_dir)
        self.texts = Catalog.load(templates_dir / "report.yml")
        self.mailbox = mailbox

    def view(
        self,
        questionnaire: Questionnaire,
        scores: Scores,
        entity: Entity,
        generated_at: date | datetime,
        peers: PeerComparison | None = None,
    ) -> ReportView:
        return report_view(questionnaire, scores, entity, generated_at, self.mailbox, peers)

    def radar(self, view: ReportView) -> bytes:
        return radar_png(
            view.radar_labels, view.radar_values, no_data=self.texts.render("report.radar_no_data")
        )

    def summary(self, view: ReportView) -> str:
        return self.env.get_template(SUMMARY_TEMPLATE).render(r=view).strip() + "\n"

    def html(self, view: ReportView, radar: bytes) -> str:
        uri = "data:image/png;base64," + base64.b64encode(radar).decode("ascii")
        width, height = png_size(radar)
        return self.env.get_template(HTML_TEMPLATE).render(
            r=view, radar_uri=uri, radar_width=width, radar_height=height
        )

    def build(
        self,
        questionnaire: Questionnaire,
        scores: Scores,
        entity: Entity,
        generated_at: date | datetime,
        peers: PeerComparison | None = None,
    ) -> Report:
        view = self.view(questionnaire, scores, entity, generated_at, peers)
        radar = self.radar(view)
        return Report(self.summary(view), self.html(view, radar), radar)


def build_report(
    questionnaire: Questionnaire,
    scores: Scores,
    entity: Entity,
    generated_at: date | datetime,
    templates_dir: Path,
    *,
    mailbox: str,
    peers: PeerComparison | None = None,
) -> Report:
    """The summary, the HTML page and the radar of one entity's scores (and its peers')."""
    return renderer(templates_dir, mailbox).build(
        questionnaire, scores, entity, generated_at, peers
    )


@functools.cache
def renderer(templates_dir: Path, mailbox: str) -> ReportRenderer:
    """One renderer per template folder: compiling the templates costs far more (about
    0.2 s) than rendering them, so a long-running process compiles them once."""
    return ReportRenderer(templates_dir, mailbox)


def render_summary(
    questionnaire: Questionnaire,
    scores: Scores,
    entity: Entity,
    generated_at: date | datetime,
    templates_dir: Path,
    *,
    mailbox: str,
    peers: PeerComparison | None = None,
) -> str:
    """The short chat summary (plain text, under ~1,500 characters)."""
    renderer = ReportRenderer(templates_dir, mailbox)
    return renderer.summary(renderer.view(questionnaire, scores, entity, generated_at, peers))


def render_html(
    questionnaire: Questionnaire,
    scores: Scores,
    entity: Entity,
    generated_at: date | datetime,
    templates_dir: Path,
    *,
    mailbox: str,
    radar: bytes | None = None,
    peers: PeerComparison | None = None,
) -> str:
    """The self-contained HTML report; draws the radar unless one is given."""
    renderer = ReportRenderer(templates_dir, mailbox)
    view = renderer.view(questionnaire, scores, entity, generated_at, peers)
    return renderer.html(view, radar if radar is not None else renderer.radar(view))
