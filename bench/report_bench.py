"""How long `balagh report` takes for 100,000 reports, on SQLite and on PostgreSQL.

`python -m bench.report_bench` (`make bench-report`): fills a fresh SQLite file and a
fresh PostgreSQL database (created on BALAGH_TEST_POSTGRES_URL's server and dropped at
the end) with the same seeded demo data — a year of reports with their histories,
surveys and hand-offs — then times the real command, `python -m bot.ops.cli report` (the
HTML page with its charts), as an operator runs it. Exits 1 if a run misses the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.desk.report.demo_data import generate
from bot.rules.catalogue import load_catalogue
from bot.rules.working_days import load_calendar
from bot.settings import ROOT
from bot.store.database import Store

TARGET_SECONDS = 30.0
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
ADMIN_URL = os.environ.get(
    "BALAGH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def fill(url: str, reports: int, seed: int) -> float:
    """Demo data into an empty store; returns the seconds it took (not benchmarked)."""
    started = time.perf_counter()
    store = Store(url)
    store.upgrade()
    now = dt.datetime.combine(END, dt.time(20, 59), dt.timezone.utc)
    generate(store, reports, seed, START, END, load_calendar(), load_catalogue(), now)
    store.dispose()
    return time.perf_counter() - started


def time_report(url: str, out: Path) -> float:
    """Wall-clock seconds of `balagh report` over the whole year, start to finish."""
    env = {**os.environ, "BALAGH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot.ops.cli", "report", "--no-progress"]
    command += ["--from", START.isoformat(), "--to", END.isoformat(), "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if "تقرير صوت المستفيد" not in out.read_text(encoding="utf-8"):
        raise SystemExit(f"{out} is not the report")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="report_bench", description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    results: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="balagh-bench-") as work:
        sqlite_url = f"sqlite:///{Path(work) / 'reports.db'}"
        setup = fill(sqlite_url, args.reports, args.seed)
        results.append(("SQLite", setup, time_report(sqlite_url, Path(work) / "sqlite.html")))

        name = f"balagh_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        postgres_url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        try:
            setup = fill(postgres_url, args.reports, args.seed)
            seconds = time_report(postgres_url, Path(work) / "postgresql.html")
            results.append(("PostgreSQL", setup, seconds))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    print(f"\nbalagh report, {START} – {END}, {os.cpu_count()} cores")
    header = ("database", "reports", "seconds", "target", "result", "demo data setup")
    print(f"{header[0]:<12}{header[1]:>9}{header[2]:>9}{header[3]:>8}  {header[4]:<8}{header[5]}")
    for database, setup, seconds in results:
        verdict = "ok" if seconds <= TARGET_SECONDS else "SLOW"
        print(
            f"{database:<12}{args.reports:>9}{seconds:>9.1f}{TARGET_SECONDS:>6.0f} s"
            f"  {verdict:<8}{setup:.0f} s"
        )
    return 0 if all(seconds <= TARGET_SECONDS for _, _, seconds in results) else 1


if __name__ == "__main__":
    sys.exit(main())
