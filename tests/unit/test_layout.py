"""The house's rules: each room imports only the rooms below it (the rules nothing)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOUNDATION = {"bot.settings", "bot.clock", "bot.private", "bot.twilio_api"}
SHARED = {"bot.rules", "bot.store", *FOUNDATION}
# What the processes share to be operated (logs, health checks, the metrics door).
PROCESS = {*SHARED, "bot.observability"}
# room -> the rooms it may import (besides itself)
ALLOWED = {
    "bot.settings": {"bot.private"},  # generated secrets are private files
    "bot.clock": {"bot.settings"},  # the time zone is a setting
    "bot.private": set(),
    "bot.twilio_api": set(),  # Twilio's client only
    "bot.rules": set(),
    "bot.store": {"bot.rules", *FOUNDATION},
    "bot.observability": SHARED,
    "bot.server": PROCESS,
    "channels": PROCESS,
    # The action server is Sanic too: it installs the same request-head fix.
    "bot.actions": {*PROCESS, "bot.server.patches.http"},
    "bot.desk": PROCESS,
    "bot.ops": None,  # anything
    "bot.server.patches.http": set(),  # Sanic only
}


def room_of(module: str) -> str | None:
    for room in sorted(ALLOWED, key=len, reverse=True):
        if module == room or module.startswith(room + "."):
            return room
    return None


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot":  # `from bot import clock`
                found += [(node.lineno, f"bot.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def modules() -> list[Path]:
    files = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("channels").rglob("*.py")]
    return sorted(f for f in files if "migrations" not in f.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_room_imports_only_what_it_may(path: Path) -> None:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    room = room_of(module)
    if room is None or ALLOWED[room] is None:
        return
    broken = []
    for line, imported in imports_of(path):
        target = room_of(imported)
        if target is not None and target != room and target not in ALLOWED[room]:
            broken.append(f"line {line}: {imported} ({room} may not import {target})")
    assert not broken, broken


def test_every_room_says_what_lives_there() -> None:
    inits = [ROOT / "bot" / "__init__.py", ROOT / "channels" / "__init__.py"]
    inits += sorted(ROOT.joinpath("bot").glob("**/__init__.py"))
    for init in inits:
        if "migrations" not in init.parts:
            assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_no_test_module_imports_another_one() -> None:
    """Shared test code lives in `tests/helpers/` (or a conftest), never in a test module."""
    broken = []
    for path in sorted(ROOT.joinpath("tests").rglob("*.py")):
        for line, imported in imports_of(path):
            if imported.startswith("tests.") and imported.rsplit(".", 1)[-1].startswith("test_"):
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not broken, broken
