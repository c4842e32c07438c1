"""`make bench`: Balagh's speed, memory and accuracy, and the same bot trained with Rasa's
default configuration, side by side. Prints tables; figures, not pass/fail (the targets
are printed beside them). Everything runs through the REST channel with the full stack:
the action server, PostgreSQL, the Redis lock store and the RabbitMQ broker.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.load import Measure, run_conversations, run_history_comparison
from bench.topology import ROOT, cluster

OURS = ROOT / "models" / "balagh.tar.gz"
DEFAULT = ROOT / "models" / "default" / "default.tar.gz"


@dataclass
class Figures:
    """What is measured for one model."""

    by_concurrency: dict[int, Measure]
    two_replicas: Measure
    turn5_ms: float
    turn60_ms: float
    rss_mib: float
    macro_f1: float
    training_s: float


def macro_f1(model: Path) -> float:
    output = subprocess.run(
        [sys.executable, "-m", "tests.nlu_eval", "--model", str(model)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    match = re.search(r"macro F1 ([0-9.]+)", output)
    return float(match.group(1)) if match else float("nan")


def training_seconds(model: Path) -> float:
    """Written by the Makefile's training rules."""
    record = model.with_suffix("").with_suffix(".train-seconds")
    return float(record.read_text()) if record.exists() else float("nan")


def measure(model: Path, quick: bool) -> Figures:
    rounds = {1: 3 if quick else 6, 8: 2 if quick else 8, 32: 1 if quick else 2}
    with cluster(model) as running:
        one = [running.replica_urls[0]]
        outbox = running.launched.work / "otp.log"
        # warm-up (lazy imports; TensorFlow's first calls in the default model)
        run_conversations(one, 4, 1, outbox, seed=9_000_000)
        by_concurrency = {
            concurrency: run_conversations(
                one, concurrency, rounds[concurrency], outbox, seed=concurrency
            )
            for concurrency in (1, 8, 32)
        }
        two = run_conversations([running.lb_url], 32, rounds[32], outbox, seed=7_000_000)
        turn5, turn60 = run_history_comparison(running.replica_urls[0])
        rss = running.rss_mib("rasa-1")
    return Figures(
        by_concurrency, two, turn5, turn60, rss, macro_f1(model), training_seconds(model)
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def print_tables(ours: Figures, default: Figures | None) -> None:
    print(
        f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    columns = [("Balagh", ours)] + ([("Rasa default", default)] if default else [])
    print("\nPer-message latency and throughput, one replica (REST, full stack)")
    print(
        f"{'model':<14}{'conc.':>6}{'messages':>10}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'msg/s':>8}{'errors':>8}"
    )
    for name, figures in columns:
        for concurrency, m in figures.by_concurrency.items():
            print(
                f"{name:<14}{concurrency:>6}{len(m.latencies):>10}{ms(m.median):>9}"
                f"{ms(m.percentile(0.95)):>9}{m.throughput:>8.1f}{m.failures:>8}"
            )
    print("\nThroughput at 32 concurrent conversations: two replicas behind nginx vs one")
    for name, figures in columns:
        one, two = figures.by_concurrency[32], figures.two_replicas
        print(
            f"{name:<14} one: {one.throughput:6.1f} msg/s   two: {two.throughput:6.1f} msg/s"
            f"   ratio {two.throughput / one.throughput:4.2f}"
        )
    print(
        "\nLong histories: median latency at turns 58-62 vs 3-7, interleaved in time"
        " (target: at most 1.3x)"
    )
    for name, figures in columns:
        print(
            f"{name:<14} turn 5: {figures.turn5_ms * 1000:5.0f} ms   turn 60: "
            f"{figures.turn60_ms * 1000:5.0f} ms   "
            f"ratio {figures.turn60_ms / figures.turn5_ms:4.2f}"
        )
    print("\nModel")
    print(f"{'model':<14}{'macro F1':>10}{'training s':>12}{'Rasa RSS MiB':>14}")
    for name, figures in columns:
        print(
            f"{name:<14}{figures.macro_f1:>10.3f}{figures.training_s:>12.0f}{figures.rss_mib:>14.0f}"
        )
    print("\nTargets")
    p95 = ours.by_concurrency[8].percentile(0.95) * 1000
    print(f"  p95 at 8 concurrent, one replica <= 150 ms: {p95:.0f} ms")
    if default:
        ratio = ours.by_concurrency[32].throughput / default.by_concurrency[32].throughput
        print(f"  throughput vs Rasa default >= 1.5x (32 concurrent): {ratio:.2f}x")
        print(f"  macro F1 >= Rasa default: {ours.macro_f1:.3f} vs {default.macro_f1:.3f}")
    print(f"  turn 60 <= 1.3 x turn 5: {ours.turn60_ms / ours.turn5_ms:.2f}x")


def main() -> int:
    quick = "--quick" in sys.argv
    ours = measure(OURS, quick)
    default = (
        measure(DEFAULT, quick) if DEFAULT.exists() and "--no-default" not in sys.argv else None
    )
    print_tables(ours, default)
    return 0


if __name__ == "__main__":
    sys.exit(main())
