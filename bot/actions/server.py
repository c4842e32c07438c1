"""`python -m bot.actions.server`: the action server, internal and authenticated.

It is rasa_sdk's own server (`rasa_sdk.endpoint.create_app`, the actions of
`bot.actions.actions`) with two differences that close it to anyone but Rasa:
- it listens on 127.0.0.1 unless `BALAGH_ACTIONS_HOST` opens it (compose's internal
  network);
- every request but `/health` must carry `Authorization: Bearer <BALAGH_ACTIONS_TOKEN>`,
  the secret Rasa sends (`action_endpoint.headers` in the rendered endpoints file). A
  forged tracker posted by anyone else is refused with 401 before it is read.
Bodies are bounded (`MAX_BODY_BYTES`) and a malformed call answers 400, not 500.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import actions_token

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "bot.actions.actions"
# A tracker of a long conversation plus the domain is a few hundred KB; 8 MB is far above
# any real call and far below what would hurt the server.
MAX_BODY_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/health"})


def bearer_matches(header: str | None, token: str) -> bool:
    """Constant-time check of `Authorization: Bearer <token>` (bytes: any header value,
    non-ASCII included, is compared, never raises)."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), token.encode()
    )


def build_app(token: str) -> Sanic:
    """rasa_sdk's app with the token check in front of it."""
    app = create_app(ACTIONS_PACKAGE, cors_origins=[])
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not bearer_matches(request.headers.get("Authorization"), token):
            return response.json({"error": "missing or invalid action server token"}, status=401)
        if request.method == "POST":
            try:
                body = request.json
            except Exception:  # Sanic's InvalidUsage on a body that is not JSON
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("next_action"), str):
                return response.json(
                    {"error": "the body must be a JSON action call with `next_action`"},
                    status=400,
                )
        return None

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.actions.server", description=__doc__)
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("BALAGH_LOG_LEVEL", "INFO"))
    host = os.environ.get("BALAGH_ACTIONS_HOST", "127.0.0.1")
    app = build_app(actions_token())
    logger.info("action server on %s:%s (token required)", host, args.port)
    app.run(host, args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
