"""The desk's, the actions' and the channels' database work does not block their event
loops: async code runs the store's (synchronous) functions in a worker thread."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import threading
from pathlib import Path

import pytest

from bot.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
ASYNC_ROOMS = ("bot/desk", "bot/actions", "channels")


def test_store_run_works_in_another_thread(sqlite_store):
    def where(store: Store, value: int) -> tuple[int, int, Store]:
        return threading.get_ident(), value, store

    thread, value, given = asyncio.run(sqlite_store.run(where, 7))
    assert thread != threading.get_ident() and value == 7 and given is sqlite_store


def _store_functions(tree: ast.Module) -> tuple[set[str], dict[str, object]]:
    """In this module: the names of functions whose first parameter is the store (imported,
    `from bot.store.follow_up import find_report`, or its own), and the project's modules
    imported by name (`from bot.desk import handoff_api`)."""
    functions, modules = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith(("bot", "channels")):
                continue
            imported = importlib.import_module(node.module)
            for alias in node.names:
                name = alias.asname or alias.name
                target = getattr(imported, alias.name, None)
                if target is None:
                    target = importlib.import_module(f"{node.module}.{alias.name}")
                if inspect.ismodule(target):
                    modules[name] = target
                elif inspect.isfunction(target) and _takes_store(target):
                    functions.add(name)
        elif isinstance(node, ast.FunctionDef):
            arguments = node.args.posonlyargs + node.args.args
            if arguments and arguments[0].arg == "store":
                functions.add(node.name)
    return functions, modules


def _takes_store(function: object) -> bool:
    parameters = list(inspect.signature(function).parameters)
    return bool(parameters) and parameters[0] == "store"


def _direct_calls(
    function: ast.AsyncFunctionDef, names: set[str], modules: dict[str, object]
) -> list[int]:
    """Lines where `function` itself (not a nested def) calls a store function."""
    lines, pending = [], list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            called = node.func
            if isinstance(called, ast.Name) and called.id in names:
                lines.append(node.lineno)
            elif (
                isinstance(called, ast.Attribute)
                and isinstance(called.value, ast.Name)
                and called.value.id in modules
            ):
                target = getattr(modules[called.value.id], called.attr, None)
                if inspect.isfunction(target) and _takes_store(target):
                    lines.append(node.lineno)
        pending.extend(ast.iter_child_nodes(node))
    return lines


def _modules() -> list[Path]:
    return sorted(p for room in ASYNC_ROOMS for p in ROOT.joinpath(room).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_async_code_runs_the_store_off_the_event_loop(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names, modules = _store_functions(tree)
    blocking = [
        f"{node.name}, line {line}"
        for node in ast.walk(tree)
        if isinstance(node, ast.AsyncFunctionDef)
        for line in _direct_calls(node, names, modules)
    ]
    assert not blocking, f"call these with `await store.run(...)`: {blocking}"
