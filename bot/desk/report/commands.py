"""`balagh report` and `balagh demo-data` (registered by `bot.ops.cli`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bot import clock
from bot.desk.report.build import FORMATS, load_figures, write_report
from bot.desk.report.period import Period
from bot.rules.working_days import load_calendar
from bot.settings import Settings
from bot.store.database import Store


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    """Write the voice-of-the-beneficiary report of a period."""
    fmt = args.format or ("csv" if args.out.suffix.lower() == ".csv" else "html")
    try:
        period = Period(args.start, args.end)
    except ValueError as wrong:
        print(f"error: {wrong}", file=sys.stderr)
        return 2
    store = Store(settings.database_url)
    store.upgrade()
    started = time.perf_counter()
    figures = load_figures(
        store,
        period,
        clock.today(),
        load_calendar(settings.holidays_file),
        comments=args.comments,
        progress=not args.no_progress,
    )
    write_report(figures, args.out, fmt)
    seconds = time.perf_counter() - started
    print(
        f"{args.out} ({fmt}): {figures.total} reports, "
        f"{period.start} – {period.end}, {seconds:.1f}s"
    )
    return 0


def demo_data_command(args: argparse.Namespace, settings: Settings) -> int:
    """Fill the store with seeded demo reports (for a demo, or the benchmark)."""
    from tqdm import tqdm

    from bot.desk.report.demo_data import generate
    from bot.rules.catalogue import load_catalogue

    today = clock.today()
    end = args.end or today
    start = args.start or end - dt.timedelta(days=364)
    if end < start:
        print("error: --to is before --from", file=sys.stderr)
        return 2
    # The data stand as on the evening of `end` (or now, when the period reaches today).
    evening = dt.datetime.combine(end, dt.time(23, 59), settings.zone).astimezone(dt.timezone.utc)
    now = min(clock.now(), evening)
    store = Store(settings.database_url)
    store.upgrade()
    with tqdm(total=args.reports, desc="demo reports", unit=" reports", leave=False) as bar:
        summary = generate(
            store,
            args.reports,
            args.seed,
            start,
            end,
            load_calendar(settings.holidays_file),
            load_catalogue(settings.catalogue_file),
            now,
            progress=bar.update,
        )
    print(
        f"demo data ({start} – {end}, seed {args.seed}): {summary.reports} reports, "
        f"{summary.history} status changes, {summary.surveys} surveys, "
        f"{summary.handoffs} hand-offs"
    )
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report", help="write the voice-of-the-beneficiary report of a period (HTML or CSV)"
    )
    report.add_argument(
        "--from", dest="start", metavar="DATE", type=_date, required=True, help="first day"
    )
    report.add_argument(
        "--to", dest="end", metavar="DATE", type=_date, required=True, help="last day (included)"
    )
    report.add_argument("--out", metavar="FILE", type=Path, required=True, help="file to write")
    report.add_argument(
        "--format", choices=FORMATS, help="html (default) or csv (default for a .csv file)"
    )
    report.add_argument(
        "--comments",
        metavar="N",
        type=int,
        default=8,
        help="how many recent comments to quote (default 8)",
    )
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
    report.set_defaults(func=report_command)
    demo = commands.add_parser("demo-data", help="add seeded demo reports to the store")
    demo.add_argument("--reports", metavar="N", type=int, default=5000, help="how many (5000)")
    demo.add_argument("--seed", metavar="S", type=int, default=1, help="random seed (1)")
    demo.add_argument(
        "--from", dest="start", metavar="DATE", type=_date, help="first day (--to − 364 days)"
    )
    demo.add_argument("--to", dest="end", metavar="DATE", type=_date, help="last day (today)")
    demo.set_defaults(func=demo_data_command)
