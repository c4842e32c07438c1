"""`balagh`: operators' commands (run the processes, migrate the store).

`balagh run` starts the action server and the Rasa server together, prints where to
talk to them, and stops both on Ctrl-C (or when either dies, so nothing is left half
running).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

from bot.report.commands import add_commands as add_report_commands
from bot.settings import ROOT, Settings, internal_token, load_settings, shared_secret
from bot.store.database import upgrade


def tracker_store_config(url: str) -> dict:
    """Rasa's SQLTrackerStore settings from a SQLAlchemy URL (sqlite or postgresql)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or str(ROOT / "var" / "conversations.db")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        return {"type": "SQL", "dialect": "sqlite", "db": database}
    config = {
        "type": "SQL",
        "dialect": parsed.drivername,
        "url": parsed.host or "127.0.0.1",  # Rasa passes `url` as the host
        "port": parsed.port or 5432,
        "db": parsed.database,
    }
    if parsed.username:
        config["username"] = parsed.username
    if parsed.password:
        config["password"] = parsed.password
    return config


def render_endpoints(settings: Settings, path: Path) -> Path:
    """Write the endpoints file the Rasa server reads, from the settings."""
    endpoints = {
        "action_endpoint": {"url": f"http://127.0.0.1:{settings.actions_port}/webhook"},
        "tracker_store": tracker_store_config(settings.tracker_store_url),
        "lock_store": {"type": "in_memory"},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


def render_credentials(path: Path) -> Path:
    """The channels Rasa serves: REST always; WhatsApp and SMS when Twilio is configured."""
    credentials: dict = {
        "rest": None,
        "channels.webchat.WebChatInput": {
            "secret": shared_secret("BALAGH_WEBCHAT_SECRET", "webchat.secret"),
            "cors_origins": os.environ.get("BALAGH_WEBCHAT_ORIGINS", "*"),
        },
        "channels.handoff_bridge.HandoffBridge": {"token": internal_token()},
    }
    account, token = os.environ.get("TWILIO_ACCOUNT_SID"), os.environ.get("TWILIO_AUTH_TOKEN")
    public = os.environ.get("BALAGH_PUBLIC_URL", "").rstrip("/")
    channels = {
        "whatsapp": ("channels.twilio_channel.WhatsAppInput", "TWILIO_WHATSAPP_NUMBER"),
        "sms": ("channels.twilio_channel.SmsInput", "TWILIO_SMS_NUMBER"),
    }
    for channel, (connector, number_variable) in channels.items():
        number = os.environ.get(number_variable)
        if account and token and number and public:
            credentials[connector] = {
                "account_sid": account,
                "auth_token": token,
                "from_number": number,
                "public_url": f"{public}/webhooks/{channel}/webhook",
                "api_base": os.environ.get("TWILIO_API_BASE", "https://api.twilio.com"),
                "templates": os.environ.get("TWILIO_WHATSAPP_TEMPLATES", "{}"),
                "retry_delay": os.environ.get("TWILIO_RETRY_DELAY", "0.5"),
            }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(credentials, allow_unicode=True), encoding="utf-8")
    path.chmod(0o600)  # it holds the Twilio auth token
    return path


def latest_model(model_dir: Path) -> Path:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"no trained model in {model_dir}: run `make train`")
    return models[-1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    """Block until something listens on 127.0.0.1:port, or fail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process exited with code {process.returncode} before listening")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listening on port {port} after {timeout:.0f}s")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    upgrade(settings.database_url)
    endpoints = render_endpoints(settings, ROOT / "var" / f"endpoints-{settings.rasa_port}.yml")
    model = Path(args.model) if args.model else latest_model(settings.model_dir)
    rasa = [sys.executable, "-m", "rasa"]
    log_flags = ["--log-file", str(ROOT / "var" / f"rasa-{settings.rasa_port}.log")]
    actions = subprocess.Popen(
        [
            *rasa,
            "run",
            "actions",
            "--actions",
            "bot.actions.actions",
            "-p",
            str(settings.actions_port),
        ],
        cwd=ROOT,
        env=env,
    )
    server_cmd = [
        *rasa,
        "run",
        "-m",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(render_credentials(ROOT / "var" / f"credentials-{settings.rasa_port}.yml")),
        "-p",
        str(settings.rasa_port),
        "-i",
        os.environ.get("BALAGH_RASA_HOST", "127.0.0.1"),
        "--enable-api",
        "--cors",
        "*",
        *log_flags,
    ]
    if os.environ.get("BALAGH_RASA_API_TOKEN"):
        server_cmd += ["--auth-token", os.environ["BALAGH_RASA_API_TOKEN"]]
    server = subprocess.Popen(server_cmd, cwd=ROOT, env=env)
    desk_port = int(os.environ.get("BALAGH_DESK_PORT", "8080"))
    desk = subprocess.Popen([sys.executable, "-m", "bot.desk.main"], cwd=ROOT, env=env)
    processes = [server, actions, desk]

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        wait_for_port(settings.actions_port, actions, 120)
        wait_for_port(settings.rasa_port, server, 300)
        wait_for_port(desk_port, desk, 60)
        print(
            f"\nBalagh is running.\n"
            f"  REST:    POST http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook\n"
            f"  Parse:   POST http://127.0.0.1:{settings.rasa_port}/model/parse\n"
            f"  Actions: http://127.0.0.1:{settings.actions_port}/health\n"
            f"  Desk:    http://127.0.0.1:{desk_port}/api/reports/<number> (staff API)\n"
            f"  Chat in the terminal: make shell    Stop: Ctrl-C\n",
            flush=True,
        )
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


def shell(args: argparse.Namespace) -> int:
    """Chat in the terminal: the action server in the background, `rasa shell` in front."""
    settings = load_settings()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    upgrade(settings.database_url)
    endpoints = render_endpoints(settings, ROOT / "var" / "endpoints-shell.yml")
    model = Path(args.model) if args.model else latest_model(settings.model_dir)
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "actions", "--actions", "bot.actions.actions"]
        + ["-p", str(settings.actions_port)],
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
                "rasa",
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


def add_agent_command(args: argparse.Namespace) -> int:
    """Create a desk account; the password is read from standard input (never argv)."""
    import getpass

    from bot.clock import now
    from bot.store.agents import add_agent

    password = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass()
    settings = load_settings()
    upgrade(settings.database_url)
    add_agent(
        settings.database_url,
        args.username,
        password,
        args.role,
        now(),
        display_name=args.name,
        telegram_user_id=args.telegram_id,
    )
    print(f"{args.role} {args.username} added")
    return 0


def migrate(_: argparse.Namespace) -> int:
    upgrade(load_settings().database_url)
    print("reports store is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="balagh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="start the Rasa server and the action server")
    run_parser.add_argument("--model", help="model archive (default: newest in models/)")
    run_parser.set_defaults(func=run)
    shell_parser = commands.add_parser("shell", help="chat in the terminal (starts the actions)")
    shell_parser.add_argument("--model", help="model archive (default: newest in models/)")
    shell_parser.set_defaults(func=shell)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=migrate)
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
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
