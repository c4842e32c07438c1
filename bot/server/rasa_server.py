"""`python -m bot.server.rasa_server <rasa command> ...`: Rasa's own command line in a
process with Balagh's patches installed (`bot.server.patches`, docs/rasa-patches.md: the
action-outage apology, the speed-ups, the doors, the PostgreSQL reconnects, the metrics),
so that what is run and tested is what production runs:

- `run ...` (the arguments of `rasa run`): the server (`balagh run`, the containers). Its
  HTTP API is never open: the token (`BALAGH_RASA_API_TOKEN`) is added here, so it stays
  out of the visible command line;
- `shell ...` (`balagh shell`) and `test core ...` (`make story-test`).

It refuses to start, in one line, when rasa, rasa-sdk, aiormq or Sanic is not the version
the patches were derived from. Everything else is `rasa` unchanged.
"""

from __future__ import annotations

import sys

from bot.server import patches
from bot.settings import settings_or_exit


def main() -> None:
    # Every variable checked at start (one line for a wrong one); the channels Rasa builds
    # read the same settings (`load_settings()`, unchanged while the environment is).
    settings = settings_or_exit("balagh rasa server")
    patches.install()  # checks the pinned versions first
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    command = sys.argv[1:3]
    if command[:1] == ["run"] and command != ["run", "actions"] and "--auth-token" not in sys.argv:
        # Rasa's HTTP API is never open; the token stays out of the visible command line.
        sys.argv[2:2] = ["--auth-token", settings.rasa_api_token.value()]
    rasa_main()


if __name__ == "__main__":
    main()
