"""nginx in front of the Rasa replicas and the desk: one configuration, rendered for
`balagh cluster` (local ports) and committed as `deploy/nginx.conf` for docker-compose.

Two servers:
- the public edge passes only what the internet may call: the Twilio webhooks, the
  widget (socket.io, its history and upload paths), the REST channel (which refuses
  callers through the edge unless `BALAGH_REST_TOKEN` is set and given), and the desk's
  console, pages and APIs under their own paths (each with its own sign-in or token); the
  console's live stream (`/api/live`) unbuffered and held open.
  Everything else (Rasa's HTTP API, the hand-off bridge, health and status pages, the
  probes `/webhooks/health/...` and `/health/...`, every `/metrics`) answers 404. In
  compose the edge terminates TLS (certificate and key from a volume).
- the internal listener, never published, passes everything to the replicas: the desk's
  notifications and hand-offs (Rasa's API with its token, the bridge with its own).

Round robin over the replicas; a replica that refuses connections is skipped, and nginx
retries the next one only when the request never reached a replica, so a message is
never processed twice. These are nginx's passive health checks (`max_fails=1
fail_timeout=2s`: a replica that failed is left out for two seconds); nginx OSS has no
active ones, so the readiness probes are compose's health checks, which also hold nginx
back until the replicas and the desk are ready (docs/operations-observability.md).
socket.io's long-polling needs every request of one browser on one replica, so
`/socket.io/` hashes the client address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.settings import EDGE_HEADER, ROOT

COMPOSE_UPSTREAMS = ["rasa-1:5005", "rasa-2:5005"]
COMPOSE_DESK = "desk:8080"
COMPOSE_FILE = ROOT / "deploy" / "nginx.conf"
# Where compose mounts the certificate and key (see docs/operations.md).
COMPOSE_TLS = ("/etc/nginx/tls/fullchain.pem", "/etc/nginx/tls/privkey.pem")
# The public paths of the Rasa replicas (exact matches) and of the desk (prefixes).
RASA_PATHS = (
    "/webhooks/whatsapp/webhook",
    "/webhooks/sms/webhook",
    "/webhooks/webchat/upload",
    "/webhooks/webchat/history",
    "/webhooks/rest/webhook",
)
# /telegram/webhook: Telegram's updates in webhook mode (the desk checks their secret)
# /console/assets/: the console's and supervisors' page's scripts and styles
# /console/sounds/: the console's sound for a new hand-off
# /s/, /c/: the public pages the links in messages open (a report's status page, the way
# back to a web chat), each opened only by a signed, unexpired link
# The console's live stream (server-sent events, `bot/desk/live.py`): passed on unbuffered,
# each event as it comes, and held open (the desk sends a comment line every 15 s and ends a
# stream after 5 minutes; any desk replica serves it, each watching the shared stores).
LIVE_PATH = "/api/live"
DESK_PATHS = (
    "/console",
    "/console/assets/",
    "/console/sounds/",
    "/api/",
    "/widget/",
    "/telegram/webhook",
    "/s/",
    "/c/",
)


@dataclass(frozen=True)
class Edge:
    """Where the edge listens and what it fronts."""

    upstreams: list[str]
    desk: str
    listen: str
    internal_listen: str
    run_dir: str
    tls: tuple[str, str] | None = None
    run_as_root: bool = False


PROXY = """            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;"""


def _edge_locations(edge: Edge) -> str:
    rasa = "\n".join(
        f"""        location = {path} {{
            proxy_pass http://rasa;
{PROXY}
            proxy_set_header Connection "";
            proxy_set_header {EDGE_HEADER} 1;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
        }}"""
        for path in RASA_PATHS
    )
    desk = "\n".join(
        f"""        location {'=' if not path.endswith('/') else '^~'} {path} {{
            proxy_pass http://desk;
{PROXY}
            proxy_set_header {EDGE_HEADER} 1;
            proxy_read_timeout 120s;
        }}"""
        for path in DESK_PATHS
    )
    live = f"""        location = {LIVE_PATH} {{
            proxy_pass http://desk;
{PROXY}
            proxy_set_header Connection "";
            proxy_set_header {EDGE_HEADER} 1;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 3600s;
        }}"""
    supervisors = f"""        location = /console/supervisors {{
            proxy_pass http://desk;
{PROXY}
            proxy_set_header {EDGE_HEADER} 1;
        }}"""
    return f"""        location = /lb-health {{
            return 200 "ok";
        }}

        location /socket.io/ {{
            proxy_pass http://rasa_sticky;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header {EDGE_HEADER} 1;
            proxy_read_timeout 3600s;
        }}

{rasa}

{desk}

{live}

{supervisors}

        location / {{
            default_type application/json;
            return 404 '{{"error": "not found"}}';
        }}"""


def _edge_server(edge: Edge) -> str:
    locations = _edge_locations(edge)
    if edge.tls is None:
        return f"""    server {{
        listen {edge.listen};

{locations}
    }}"""
    certificate, key = edge.tls
    return f"""    server {{
        listen 80;
        location / {{
            return 301 https://$host$request_uri;
        }}
    }}

    server {{
        listen {edge.listen} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers off;
        add_header Strict-Transport-Security "max-age=31536000" always;

{locations}
    }}"""


def render_edge(edge: Edge) -> str:
    """The whole nginx.conf (nginx runs it in the foreground with `-c`)."""
    servers = "\n".join(
        f"        server {address} max_fails=1 fail_timeout=2s;" for address in edge.upstreams
    )
    user = "user root;\n" if edge.run_as_root else ""
    run_dir = edge.run_dir
    return f"""# Rendered by bot/ops/load_balancer.py: edit the template there, not this file.
{user}worker_processes auto;
daemon off;
pid {run_dir}/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 4096;
}}

http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {run_dir}/client_body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    # Widget uploads are capped at 10 MB by the channel; leave room for the envelope.
    client_max_body_size 11m;

    upstream rasa {{
{servers}
        keepalive 64;
    }}

    upstream rasa_sticky {{
        hash $remote_addr consistent;
{servers}
    }}

    upstream desk {{
        server {edge.desk};
    }}

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}

{_edge_server(edge)}

    # Internal: the desk's calls to the replicas (Rasa's API, the hand-off bridge).
    server {{
        listen {edge.internal_listen};

        location / {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def render_local(
    upstream_ports: list[int], listen: int, run_dir: Path, desk_port: int, internal_port: int
) -> str:
    """For `balagh cluster`: replicas and desk on loopback ports, plain HTTP on loopback
    (TLS is for the published edge of compose), temp files under `run_dir`."""
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / name).mkdir(parents=True, exist_ok=True)
    return render_edge(
        Edge(
            upstreams=[f"127.0.0.1:{port}" for port in upstream_ports],
            desk=f"127.0.0.1:{desk_port}",
            listen=f"127.0.0.1:{listen}",
            internal_listen=f"127.0.0.1:{internal_port}",
            run_dir=str(run_dir),
            run_as_root=os.geteuid() == 0,
        )
    )


def render_compose() -> str:
    """For docker-compose: the official nginx image, replicas and desk by service name,
    TLS on 443 (80 redirects), the internal listener on 8001 (not published)."""
    return render_edge(
        Edge(
            upstreams=COMPOSE_UPSTREAMS,
            desk=COMPOSE_DESK,
            listen="443",
            internal_listen="8001",
            run_dir="/tmp",
            tls=COMPOSE_TLS,
        )
    )


if __name__ == "__main__":
    COMPOSE_FILE.write_text(render_compose(), encoding="utf-8")
    print(f"wrote {COMPOSE_FILE}")
