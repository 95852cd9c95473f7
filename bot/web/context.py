"""What every page handler needs, built once per process (see `bot.web.app.create_app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.app import ConsoleApp
from bot.report.render import make_environment
from bot.staff.decisions import Herald
from bot.web.texts import TEMPLATES, web_texts
from dialogues.messages import Catalog


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Web:
    console: ConsoleApp
    env: Environment
    texts: Catalog
    herald: Herald  # tells officials what staff decided, as cti officials does
    clock: Callable[[], datetime] = field(default=_now)

    @classmethod
    def build(cls, console: ConsoleApp) -> Web:
        config = console.config
        folder = config.path(config.data.templates) / TEMPLATES
        env = Environment(
            loader=FileSystemLoader(folder),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(make_environment(folder).filters)
        return cls(console, env, web_texts(config), Herald.build(config, console.static.gazetteer))

    def page(self, request: Request, name: str, status: int = 200, **params: Any) -> HTMLResponse:
        staff = getattr(request.state, "staff", None)
        html = self.env.get_template(name).render(
            staff=staff, csrf=getattr(request.state, "csrf", ""), path=request.url.path, **params
        )
        return HTMLResponse(html, status_code=status)

    def error(self, request: Request, status: int, key: str) -> HTMLResponse:
        return self.page(request, "error.html.j2", status, message=self.texts.render(key))
