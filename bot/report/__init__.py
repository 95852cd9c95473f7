"""Reports of a diagnosis: chat summary, self-contained HTML page and radar chart."""

from bot.report.render import (
    Report,
    ReportRenderer,
    build_report,
    render_html,
    render_summary,
)

__all__ = ["Report", "ReportRenderer", "build_report", "render_html", "render_summary"]
