"""`balagh demo-data` then `balagh report`, as an operator types them."""

from __future__ import annotations

import csv
import io

from bot.ops.cli import main


def test_demo_data_then_the_report_in_both_formats(sqlite_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BALAGH_DATABASE_URL", sqlite_url)
    period = ["--from", "2025-01-01", "--to", "2025-03-31"]
    assert main(["demo-data", "--reports", "300", "--seed", "4", *period]) == 0
    assert "300 reports" in capsys.readouterr().out
    page, figures = tmp_path / "out" / "report.html", tmp_path / "figures.csv"
    assert main(["report", *period, "--out", str(page)]) == 0
    assert main(["report", *period, "--out", str(figures)]) == 0  # csv from the suffix
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "يناير 2025" in html
    rows = list(csv.DictReader(io.StringIO(figures.read_text(encoding="utf-8").lstrip("\ufeff"))))
    totals = {r["key"]: r["value"] for r in rows if r["section"] == "totals"}
    assert totals == {"reports": "300"}
    monthly = [r for r in rows if r["section"] == "monthly_flow" and r["key"] == "received"]
    assert sum(int(r["value"]) for r in monthly) == 300


def test_a_period_that_ends_before_it_starts_is_refused(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BALAGH_DATABASE_URL", sqlite_url)
    out = tmp_path / "report.html"
    assert main(["report", "--from", "2025-03-01", "--to", "2025-02-01", "--out", str(out)]) == 2
    assert not out.exists()
