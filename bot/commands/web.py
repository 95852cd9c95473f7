"""`cti web`: serve the staff console (see README, «Consola web»).

    cti web                                   # http://127.0.0.1:8080, behind a TLS reverse proxy
    cti web --host 0.0.0.0 --port 8080 --forwarded-allow-ips 10.0.0.5

The session cookie is `Secure`: browsers send it only over HTTPS (or to localhost), so in
production the console sits behind a reverse proxy that terminates TLS.
"""

from __future__ import annotations

import click

from bot.commands.common import config_from


@click.command(help="Servir la consola web del personal de MinTIC.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Dirección de escucha.")
@click.option("--port", default=8080, show_default=True, type=int, help="Puerto.")
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Proxies inversos cuyas cabeceras X-Forwarded-For/-Proto se creen (separadas por comas).",
)
@click.pass_context
def web(ctx: click.Context, host: str, port: int, forwarded_allow_ips: str) -> None:
    import uvicorn

    from bot.web.app import create_app

    config = config_from(ctx)
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_level="info",  # "Uvicorn running on ...": where the console listens
        access_log=False,  # query strings and client addresses stay out of the logs
    )
