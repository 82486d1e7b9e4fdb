"""``dataprotect demo --serve``: the password-feedback page on loopback.

Serves the demo page of
:func:`dataprotect.integrations.starlette.password_feedback_routes` with
uvicorn on 127.0.0.1, with a small breached-password list so every verdict
can be seen, and logs through a
:class:`~dataprotect.pseudonymise.PseudonymisingFilter` (client addresses
are pseudonymised; the password is never logged).  Ctrl-C stops it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import tempfile

from pathlib import Path
from typing import Any

import click


__all__ = ["DEMO_BREACHED", "serve"]

#: Passwords the demo's breached list holds (to see the "breached" verdict).
DEMO_BREACHED = (
    "Summer2019!",
    "Zq8#vL2!rT9@mK",
    "correct horse battery staple",
)


# uvicorn's loggers send their records to the root logger's pseudonymising
# handler (and nowhere else, whatever configured them before).
_UVICORN_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        name: {"level": "INFO", "handlers": [], "propagate": True}
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
    },
}


def _logging() -> logging.Handler:
    """A stderr handler whose records are pseudonymised, on the root logger."""
    from dataprotect.pseudonymise import Pseudonymiser, PseudonymisingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(PseudonymisingFilter(Pseudonymiser(key=os.urandom(32))))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def serve(port: int, locale: str) -> None:
    """Serve the page on 127.0.0.1:*port* (0: a free port) until Ctrl-C."""
    import uvicorn

    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse
    from starlette.routing import Route

    from dataprotect.integrations.password_feedback import FeedbackEndpoint
    from dataprotect.integrations.starlette import password_feedback_routes
    from dataprotect.strength import BreachedPasswords

    async def home(_request: object) -> RedirectResponse:
        return RedirectResponse(f"/password-feedback?lang={locale}")

    handler = _logging()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by accepted connections: an answer's head and body go out
    # at once instead of waiting for the browser's delayed ACK (~40 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        with tempfile.TemporaryDirectory(prefix="dataprotect-demo-") as tmp:
            breached = BreachedPasswords.build(Path(tmp), DEMO_BREACHED)
            app = Starlette(
                routes=[
                    Route("/", home),
                    *password_feedback_routes(
                        FeedbackEndpoint(
                            breached=breached, service_names=["example.com"]
                        ),
                        page=True,
                    ),
                ]
            )
            sock.bind(("127.0.0.1", port))
            # Listening before the URL is printed: a browser opened at once
            # waits in the backlog until uvicorn accepts.
            sock.listen(128)
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/password-feedback"
            click.echo(f"password feedback: {url}")
            click.echo("breached in this demo: " + ", ".join(DEMO_BREACHED))
            click.echo("press Ctrl-C to stop")

            async def asgi(scope: Any, receive: Any, send: Any) -> None:
                # uvicorn calls its app once without arguments to detect a
                # factory; an APM agent that patched Starlette.__call__ to
                # take *args (sentry-sdk 2.0, ddtrace) turns that call into
                # a coroutine, which uvicorn then serves: 500 to every
                # request.  A plain function cannot be taken for a factory.
                await app(scope, receive, send)

            config = uvicorn.Config(
                asgi,
                log_config=_UVICORN_LOGGING,
                lifespan="off",
                interface="asgi3",  # said, not guessed
            )
            with contextlib.suppress(KeyboardInterrupt):
                # uvicorn shuts down cleanly on Ctrl-C, then raises it
                # again for the caller: here it is the way out.
                uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        logging.getLogger().removeHandler(handler)
    click.echo("stopped")
