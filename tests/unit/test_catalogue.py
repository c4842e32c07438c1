"""The catalogue file: its rules (as its header states them) and the look-ups."""

from collections import defaultdict

import pytest
import yaml

from bot.rules.arabic import comparison_key
from bot.rules.catalogue import DEFAULT_CATALOGUE_FILE, load_catalogue, parse_catalogue

DATA = yaml.safe_load(DEFAULT_CATALOGUE_FILE.read_text(encoding="utf-8"))


def test_shipped_catalogue_is_large_enough():
    catalogue = load_catalogue()
    assert len(catalogue.entities) + len(catalogue.platforms) >= 30
    assert any(not s.digital and not s.alternative_name for s in catalogue.services)
    assert any(s.has_digital_alternative for s in catalogue.services)


def test_no_spelling_names_two_different_things():
    owners = defaultdict(set)
    for entity in DATA["entities"]:
        for spelling in (entity["name"], *(entity.get("aliases") or [])):
            owners[comparison_key(str(spelling)).lower()].add(("entity", entity["key"]))
        for platform in entity.get("platforms") or []:
            for spelling in (platform["name"], *(platform.get("aliases") or [])):
                owners[comparison_key(str(spelling)).lower()].add(("platform", platform["key"]))
        for service in entity.get("services") or []:
            for spelling in (service["name"], *(service.get("aliases") or [])):
                owners[comparison_key(str(spelling)).lower()].add(("service", service["name"]))
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert clashes == {}


@pytest.mark.parametrize(
    ("typed", "platform"), [("ابشر", "أبشر"), ("Absher", "أبشر"), ("منصة ناجز", "ناجز")]
)
def test_platform_spellings(typed, platform):
    assert load_catalogue().platform(typed).name == platform


def test_entity_found_inside_a_longer_answer():
    assert load_catalogue().entity("والله وزاره الداخليه ما ردوا").key == "moi"


def test_unknown_names_are_not_guessed():
    catalogue = load_catalogue()
    assert catalogue.entity("جمعية الصيادين الخيرية") is None
    assert catalogue.service("خدمة لا يعرفها أحد أبداً") is None


def test_broken_files_are_refused():
    with pytest.raises(ValueError, match="unknown platform"):
        parse_catalogue(
            {"entities": [{"key": "x", "name": "س", "services": [{"name": "خ", "platform": "p"}]}]}
        )


def test_catalogue_is_reread_when_the_file_changes(tmp_path):
    file = tmp_path / "catalogue.yml"
    file.write_text("entities: []\n", encoding="utf-8")
    assert load_catalogue(file).entity("وزارة التجربة") is None
    file.write_text(
        "entities:\n  - key: t\n    name: وزارة التجربة\n    aliases: [التجربة]\n",
        encoding="utf-8",
    )
    import os

    os.utime(file, (1, 1))  # a different modification time, as any edit gives
    assert load_catalogue(file).entity("وزاره التجربه").key == "t"


def test_a_service_lookup_is_remembered_per_question(monkeypatch):
    catalogue = parse_catalogue(yaml.safe_load(DEFAULT_CATALOGUE_FILE.read_text(encoding="utf-8")))
    searches: list[tuple] = []
    search = catalogue._closest_service

    def counted(*question: object) -> object:
        searches.append(question)
        return search(*question)

    monkeypatch.setattr(catalogue, "_closest_service", counted)
    first = catalogue.service("تجديد الجواز")
    assert first is not None and catalogue.service("تجديد الجواز") is first
    assert catalogue.service("تجديد الجواز", platform_key="absher") is not None
    assert len(searches) == 2  # the repeated question was answered from memory
