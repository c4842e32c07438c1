"""The catalogue's NLU file is rewritten only when its text changes (make then leaves the
models alone), and always when it does."""

from __future__ import annotations

import os

from bot.rules.catalogue import DEFAULT_CATALOGUE_FILE
from scripts.generate_catalogue_nlu import main, render


def test_an_unchanged_text_leaves_the_file_untouched(tmp_path):
    output = tmp_path / "catalogue.yml"
    assert main(["--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == render(DEFAULT_CATALOGUE_FILE)
    os.utime(output, (1_000_000, 1_000_000))
    assert main(["--output", str(output)]) == 0
    assert output.stat().st_mtime == 1_000_000


def test_a_changed_text_is_written(tmp_path):
    output = tmp_path / "catalogue.yml"
    output.write_text("stale\n", encoding="utf-8")
    os.utime(output, (1_000_000, 1_000_000))
    assert main(["--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == render(DEFAULT_CATALOGUE_FILE)
    assert output.stat().st_mtime != 1_000_000
