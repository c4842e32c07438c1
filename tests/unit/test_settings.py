"""Settings follow the environment, and are not rebuilt while it stays the same."""

from __future__ import annotations

from pathlib import Path

from bot.settings import VARIABLES, load_settings


def test_settings_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BALAGH_DATABASE_URL", "sqlite:///first.db")
    first = load_settings()
    assert first.database_url == "sqlite:///first.db"
    assert load_settings() is first  # remembered while the environment is the same
    monkeypatch.setenv("BALAGH_DATABASE_URL", "sqlite:///second.db")
    monkeypatch.setenv("BALAGH_CATALOGUE_FILE", str(tmp_path / "catalogue.yml"))
    second = load_settings()
    assert second.database_url == "sqlite:///second.db"
    assert second.catalogue_file == tmp_path / "catalogue.yml"
    monkeypatch.delenv("BALAGH_CATALOGUE_FILE")
    assert load_settings().catalogue_file.name == "catalogue.yml"
    assert load_settings().catalogue_file != tmp_path / "catalogue.yml"


def test_every_setting_is_read_from_a_listed_variable(monkeypatch):
    """A variable read by `Settings` but missing from `VARIABLES` would be remembered
    across a change: setting each listed variable must change the settings."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings()
    values = {"PORT": "6123", "TIMEZONE": "UTC", "LOG_LEVEL": "DEBUG"}
    for name in VARIABLES:
        value = next((v for suffix, v in values.items() if name.endswith(suffix)), None)
        monkeypatch.setenv(name, value or str(Path("/elsewhere") / name.lower()))
        assert load_settings() != defaults, name
        monkeypatch.delenv(name)
    assert len(VARIABLES) == len(defaults.__dataclass_fields__)
