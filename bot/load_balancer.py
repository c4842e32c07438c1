"""nginx in front of the Rasa replicas: one configuration, rendered for `balagh cluster`
(local ports) and committed as `deploy/nginx.conf` for docker-compose (service names).

- REST, Twilio webhooks, the hand-off bridge: round robin. A replica that refuses
  connections (killed, restarting) is skipped; nginx retries the next one only when the
  request never reached a replica, so a message is never processed twice.
- socket.io: websocket upgrade passed through; the long-polling fallback needs every
  request of one browser on one replica, so `/socket.io/` hashes the client address.
  Pushes reach a browser whichever replica sends them (socket.io's Redis manager).
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.settings import ROOT

COMPOSE_UPSTREAMS = ["rasa-1:5005", "rasa-2:5005"]
COMPOSE_FILE = ROOT / "deploy" / "nginx.conf"


def render(upstreams: list[str], listen: int, run_dir: str, run_as_root: bool = False) -> str:
    """The whole nginx.conf (nginx runs it in the foreground with `-c`)."""
    servers = "\n".join(
        f"        server {address} max_fails=1 fail_timeout=2s;" for address in upstreams
    )
    user = "user root;\n" if run_as_root else ""
    return f"""# Rendered by bot/load_balancer.py: edit the template there, not this file.
{user}worker_processes auto;
daemon off;
pid {run_dir}/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    client_body_temp_path {run_dir}/client_body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    # Widget uploads are capped at 10 MB by the channel; leave room for the envelope.
    client_max_body_size 12m;

    upstream rasa {{
{servers}
        keepalive 64;
    }}

    upstream rasa_sticky {{
        hash $remote_addr consistent;
{servers}
    }}

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}

    server {{
        listen {listen};

        location = /lb-health {{
            return 200 "ok";
        }}

        location /socket.io/ {{
            proxy_pass http://rasa_sticky;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 3600s;
        }}

        location / {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def render_local(upstream_ports: list[int], listen: int, run_dir: Path) -> str:
    """For `balagh cluster`: replicas on loopback ports, temp files under `run_dir`."""
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / name).mkdir(parents=True, exist_ok=True)
    return render(
        [f"127.0.0.1:{port}" for port in upstream_ports],
        listen,
        str(run_dir),
        run_as_root=os.geteuid() == 0,
    )


def render_compose() -> str:
    """For docker-compose: the official nginx image, replicas by service name."""
    return render(COMPOSE_UPSTREAMS, 8000, "/tmp")


if __name__ == "__main__":
    COMPOSE_FILE.write_text(render_compose(), encoding="utf-8")
    print(f"wrote {COMPOSE_FILE}")
