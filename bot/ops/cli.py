"""`balagh`: operators' commands (run the processes, migrate, back up and restore the stores).

`balagh run` starts the action server, the Rasa server and the desk together, prints where
to talk to them, and stops all three on Ctrl-C or SIGTERM (or when one dies, so nothing is
left half running), within seconds (`bot.ops.processes.stop`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bot import __version__
from bot.desk.report.commands import add_commands as add_report_commands
from bot.ops.processes import (
    actions_command,
    desk_command,
    latest_model,
    process_env,
    rasa_command,
    signals_held,
    spawn,
    stop,
    stop_on_signals,
    wait_for_port,
)
from bot.ops.server_config import render_credentials, render_endpoints
from bot.settings import ROOT, Settings, SettingsError, load_settings
from bot.store.database import Store


def migrated(settings: Settings) -> None:
    """Bring the reports store to the latest schema (before the processes start)."""
    store = Store(settings.database_url)
    try:
        store.upgrade()
    finally:
        store.dispose()


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings.generate_secrets()
    env = process_env()
    migrated(settings)
    var = ROOT / "var"
    endpoints = render_endpoints(settings, var / f"endpoints-{settings.rasa_port}.yml")
    credentials = render_credentials(settings, var / f"credentials-{settings.rasa_port}.yml")
    model = Path(args.model) if args.model else latest_model(settings.model_dir)
    desk_port = settings.desk_port
    commands = {
        "actions": actions_command(settings.actions_port),
        "rasa": rasa_command(settings, model, endpoints, credentials, settings.rasa_port),
        "desk": desk_command(),
    }
    started: dict[str, subprocess.Popen] = {}
    stop_on_signals()  # SIGTERM and SIGHUP as Ctrl-C: `finally` stops all three
    try:
        for name, command in commands.items():
            with signals_held():  # recorded before a stop can look for it
                started[name] = spawn(command, cwd=ROOT, env=env)
        processes = list(started.values())
        wait_for_port(settings.actions_port, started["actions"], 120)
        wait_for_port(settings.rasa_port, started["rasa"], 300)
        wait_for_port(desk_port, started["desk"], 60)
        print(
            f"\nBalagh is running.\n"
            f"  REST:    POST http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook\n"
            f"  Parse:   POST http://127.0.0.1:{settings.rasa_port}/model/parse?token=<token>"
            f" (token: BALAGH_RASA_API_TOKEN or var/rasa-api.token)\n"
            f"  Actions: http://127.0.0.1:{settings.actions_port}/health (calls need the token)\n"
            f"  Desk:    http://127.0.0.1:{desk_port}/api/reports/<number> (staff API)\n"
            f"  Codes:   one-time codes go to {settings.codes_sender()}\n"
            f"  Chat in the terminal: make shell    Stop: Ctrl-C\n",
            flush=True,
        )
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(started.values(), names={process.pid: name for name, process in started.items()})


def shell(args: argparse.Namespace, settings: Settings) -> int:
    """Chat in the terminal: the action server in the background, `rasa shell` in front,
    in a process with Balagh's patches installed (`bot.server.rasa_server`), as in production."""
    settings.generate_secrets()
    env = process_env()
    migrated(settings)
    endpoints = render_endpoints(settings, ROOT / "var" / "endpoints-shell.yml")
    model = Path(args.model) if args.model else latest_model(settings.model_dir)
    actions = subprocess.Popen(
        actions_command(settings.actions_port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(settings.actions_port, actions, 120)
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "bot.server.rasa_server",
                "shell",
                "-m",
                str(model),
                "--endpoints",
                str(endpoints),
            ],
            cwd=ROOT,
            env=env,
        )
    finally:
        actions.terminate()
        actions.wait(timeout=20)


def add_agent_command(args: argparse.Namespace, settings: Settings) -> int:
    """Create a desk account; the password is read from standard input (never argv)."""
    import getpass

    from sqlalchemy.exc import IntegrityError

    from bot.clock import now
    from bot.store.agents import add_agent

    password = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass()
    store = Store(settings.database_url)
    try:
        store.upgrade()
        add_agent(
            store,
            args.username,
            password,
            args.role,
            now(),
            display_name=args.name,
            telegram_user_id=args.telegram_id,
        )
    except IntegrityError:
        raise CommandFailed(f"an agent named {args.username!r} already exists") from None
    except ValueError as refused:  # a password or role the store refuses
        raise CommandFailed(str(refused)) from None
    finally:
        store.dispose()
    print(f"{args.role} {args.username} added")
    return 0


def rasa_server(args: argparse.Namespace, settings: Settings) -> int:
    """One Rasa server, configured from the environment (a container's command)."""
    settings.refuse_any_origin("balagh rasa-server")
    var = ROOT / "var"
    endpoints = render_endpoints(settings, var / f"endpoints-{settings.rasa_port}.yml")
    credentials = render_credentials(settings, var / f"credentials-{settings.rasa_port}.yml")
    model = Path(args.model) if args.model else latest_model(settings.model_dir)
    command = rasa_command(settings, model, endpoints, credentials, settings.rasa_port)
    os.execve(command[0], command, process_env())


def cluster(args: argparse.Namespace, _: Settings) -> int:
    """The cluster fills in its own defaults, then reads the settings again."""
    from bot.ops.cluster import main as cluster_main

    return cluster_main(
        ["--replicas", str(args.replicas)] + (["--model", args.model] if args.model else [])
    )


def migrate(_: argparse.Namespace, settings: Settings) -> int:
    migrated(settings)
    print("reports store is up to date")
    return 0


def rotate_data_key(_: argparse.Namespace, settings: Settings) -> int:
    """After `BALAGH_DATA_KEY` changed (the old key in `BALAGH_DATA_KEY_PREVIOUS`): write
    every report's personal data and every conversation event again under the new key
    (events stored in clear before are encrypted too; docs/operations.md)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from bot.private import private_file
    from bot.store.crypto import DataKeyError, DataKeys, rotate_events, rotate_reports

    keys = DataKeys(settings.data_key.value(), settings.data_key_previous)
    store = Store(settings.database_url)
    tracker_store = make_url(settings.tracker_store_url)
    if tracker_store.get_backend_name() == "sqlite" and tracker_store.database:
        private_file(Path(tracker_store.database))  # not created 0644 by opening it
    conversations = create_engine(settings.tracker_store_url)
    try:
        store.upgrade()
        reports = rotate_reports(store.engine, keys)
        events = rotate_events(conversations, keys)
    except DataKeyError as unreadable:
        raise CommandFailed(f"{unreadable}; the rows before it were rotated") from None
    finally:
        store.dispose()
        conversations.dispose()
    print(f"{reports} reports and {events} conversation events written again under the data key")
    return 0


class CommandFailed(Exception):
    """An expected failure: said in one line, no traceback."""


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    """One backup set of both stores and the media (docs/operations.md#backups)."""
    from bot.ops.backup import MANIFEST, BackupError, backup

    try:
        folder = backup(settings, Path(args.to) if args.to else settings.backup_dir)
    except BackupError as failure:
        raise CommandFailed(str(failure)) from None
    files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    size = sum(entry["size"] for entry in files.values())
    print(f"backup written to {folder} ({_counted(len(files), 'file')}, {_megabytes(size)})")
    return 0


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    """A backup set put back into the configured stores (stop Balagh first)."""
    from bot.ops.backup import BackupError, restore

    try:
        restored = restore(settings, Path(args.backup), force=args.force)
    except BackupError as failure:
        raise CommandFailed(str(failure)) from None
    stores = " and ".join(restored.stores) + (" (one database)" if restored.shared else "")
    print(
        f"restored {stores} and {_counted(restored.media_files, 'media file')} from {args.backup}"
        f" (made {restored.made_at} by Balagh {restored.version}); reports store at migration"
        f" {restored.revision}"
    )
    return 0


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def desk(_: argparse.Namespace, settings: Settings) -> int:
    """Only the desk (a container's command; `balagh run` starts it with the others)."""
    from bot.desk.main import main as desk_main

    desk_main(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="balagh", description=__doc__)
    parser.add_argument("--version", action="version", version=f"balagh {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("desk", help="only the desk (APIs, console, notifications)").set_defaults(
        func=desk
    )
    run_parser = commands.add_parser("run", help="start the Rasa server and the action server")
    run_parser.add_argument("--model", help="model archive (default: newest in models/)")
    run_parser.set_defaults(func=run)
    shell_parser = commands.add_parser("shell", help="chat in the terminal (starts the actions)")
    shell_parser.add_argument("--model", help="model archive (default: newest in models/)")
    shell_parser.set_defaults(func=shell)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=migrate)
    commands.add_parser(
        "rotate-data-key",
        help="re-encrypt the reports' personal data under BALAGH_DATA_KEY"
        " (the old key in BALAGH_DATA_KEY_PREVIOUS)",
    ).set_defaults(func=rotate_data_key)
    backup_parser = commands.add_parser(
        "backup", help="save both stores and the media into a new backup set"
    )
    backup_parser.add_argument(
        "--to", metavar="DIR", help="folder of the backup sets (default: BALAGH_BACKUP_DIR)"
    )
    backup_parser.set_defaults(func=backup_command)
    restore_parser = commands.add_parser(
        "restore", help="put a backup set back into the configured stores (Balagh stopped)"
    )
    restore_parser.add_argument("backup", metavar="DIR", help="the backup set's folder")
    restore_parser.add_argument(
        "--force", action="store_true", help="overwrite stores that are not empty"
    )
    restore_parser.set_defaults(func=restore_command)
    server_parser = commands.add_parser(
        "rasa-server", help="only the Rasa server, configured from the environment"
    )
    server_parser.add_argument("--model", help="model archive (default: newest in models/)")
    server_parser.set_defaults(func=rasa_server)
    cluster_parser = commands.add_parser(
        "cluster", help="the production topology as local processes (replicas behind nginx)"
    )
    cluster_parser.add_argument("--replicas", type=int, default=2)
    cluster_parser.add_argument("--model", help="model archive (default: newest in models/)")
    cluster_parser.set_defaults(func=cluster)
    agent_parser = commands.add_parser(
        "add-agent", help="create a desk account (password on stdin)"
    )
    agent_parser.add_argument("username")
    agent_parser.add_argument("--role", choices=["agent", "supervisor"], default="agent")
    agent_parser.add_argument("--name", help="display name")
    agent_parser.add_argument("--telegram-id", help="Telegram user id mapped to this account")
    agent_parser.set_defaults(func=add_agent_command)
    add_report_commands(commands)
    args = parser.parse_args(argv)
    try:
        # Every variable is checked before any command runs: a wrong one is one line.
        return args.func(args, load_settings())
    except SettingsError as wrong:
        return _said(args.command, str(wrong))
    except CommandFailed as failure:
        return _said(args.command, str(failure))
    except OperationalError as failure:  # the database is down, refuses us, or is missing
        reason = str(failure.orig).strip().splitlines()[0] if failure.orig else str(failure)
        return _said(args.command, f"the database cannot be reached: {reason}")


def _said(command: str, message: str) -> int:
    print(f"balagh {command}: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
