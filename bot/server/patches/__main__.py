"""`python -m bot.server.patches`: docs/rasa-patches.md, generated from the registry;
`--fingerprints`: the registry's `FINGERPRINTS` block as the installed packages give it
(to paste once the patches whose sources changed are re-derived)."""

from __future__ import annotations

import sys

from bot.server import patches

if __name__ == "__main__":
    fingerprints = "--fingerprints" in sys.argv
    print(patches.fingerprints_source() if fingerprints else patches.markdown(), end="")
