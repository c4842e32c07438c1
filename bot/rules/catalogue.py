"""The catalogue of government entities, platforms and services (`resources/catalogue.yml`).

Data, not code: operators add entities, spellings and services to the file; the action
server re-reads it when it changes, and `make train` regenerates the NLU lookup tables
and synonyms from it (`scripts/generate_catalogue_nlu.py`). A name the catalogue does
not know is still accepted: the report is flagged for review instead.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.rules.arabic import comparison_key
from bot.rules.similarity import similarity

DEFAULT_CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "resources" / "catalogue.yml"
SERVICE_MATCH_THRESHOLD = 0.6
SERVICE_ANSWERS_KEPT = 10_000  # remembered service lookups per catalogue (then forgotten)


@dataclass(frozen=True)
class Entity:
    key: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    entity_key: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    name: str
    entity_key: str
    digital: bool
    platform_key: str | None = None
    aliases: tuple[str, ...] = ()
    alternative_name: str | None = None
    alternative_where: str | None = None

    @property
    def has_digital_alternative(self) -> bool:
        return not self.digital and bool(self.alternative_name)


@dataclass
class Catalogue:
    """Indexes of the file by normalised spelling."""

    entities: dict[str, Entity] = field(default_factory=dict)
    platforms: dict[str, Platform] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    _entity_index: dict[str, str] = field(default_factory=dict)
    _platform_index: dict[str, str] = field(default_factory=dict)
    _service_answers: dict[tuple, Service | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def entity(self, text: str | None) -> Entity | None:
        key = _lookup(self._entity_index, text)
        return self.entities[key] if key else None

    def platform(self, text: str | None) -> Platform | None:
        key = _lookup(self._platform_index, text)
        return self.platforms[key] if key else None

    def service(
        self, text: str | None, entity_key: str | None = None, platform_key: str | None = None
    ) -> Service | None:
        """The listed service whose name or alias is closest to `text` (if close enough),
        preferring services of the given entity or platform. Remembered per question: the
        search compares `text` with every spelling, and a conversation asks several times
        (a changed file is a new `Catalogue`)."""
        if not text:
            return None
        question = (text, entity_key, platform_key)
        if question not in self._service_answers:
            if len(self._service_answers) >= SERVICE_ANSWERS_KEPT:
                self._service_answers.clear()
            self._service_answers[question] = self._closest_service(*question)
        return self._service_answers[question]

    def _closest_service(
        self, text: str, entity_key: str | None, platform_key: str | None
    ) -> Service | None:
        best: tuple[float, Service] | None = None
        key = comparison_key(text)
        for service in self.services:
            spellings = (service.name, *service.aliases)
            score = max(similarity(text, name) for name in spellings)
            if any(comparison_key(name) == key for name in spellings):
                score = 1.0
            if entity_key and service.entity_key == entity_key:
                score += 0.05
            if platform_key and service.platform_key == platform_key:
                score += 0.05
            if score >= SERVICE_MATCH_THRESHOLD and (best is None or score > best[0]):
                best = (score, service)
        return best[1] if best else None

    def mentioned(self, text: str) -> tuple[Entity | None, Platform | None, Service | None]:
        """The entity, platform and service whose names a longer text contains (a story:
        «قدمت على تجديد الجواز في ابشر»), the longest spelling first; the entity follows
        from the platform or the service when the text does not name it."""
        padded = f" {comparison_key(text)} "
        platform = self.platform(_contained(self._platform_index, padded))
        service_spelling = _contained(self._service_by_spelling, padded)
        service = self._service_by_spelling[service_spelling] if service_spelling else None
        entity = self.entity(_contained(self._entity_index, padded))
        if entity is None and platform is not None:
            entity = self.entities.get(platform.entity_key)
        if entity is None and service is not None:
            entity = self.entities.get(service.entity_key)
        if platform is None and service is not None and service.platform_key:
            platform = self.platforms.get(service.platform_key)
        return entity, platform, service

    @functools.cached_property
    def _service_by_spelling(self) -> dict[str, Service]:
        return {
            comparison_key(spelling): service
            for service in self.services
            for spelling in (service.name, *service.aliases)
        }

    def names(self) -> dict[str, dict[str, list[str]]]:
        """Canonical name → spellings, per kind (for the NLU lookup tables and synonyms)."""
        return {
            "gov_entity": {e.name: list(e.aliases) for e in self.entities.values()},
            "platform": {p.name: list(p.aliases) for p in self.platforms.values()},
            "service": {s.name: list(s.aliases) for s in self.services},
        }


def _lookup(index: dict[str, str], text: str | None) -> str | None:
    """Exact normalised match, else the longest known spelling contained in the text."""
    if not text:
        return None
    key = comparison_key(text)
    if key in index:
        return index[key]
    padded = f" {key} "
    for spelling in sorted(index, key=len, reverse=True):
        if len(spelling) >= 3 and f" {spelling} " in padded:
            return index[spelling]
    return None


def _contained(index: dict[str, object], padded: str) -> str | None:
    """The longest spelling of `index` (normalised keys) that `padded` (a normalised text
    between spaces) contains as whole words."""
    for spelling in sorted(index, key=len, reverse=True):
        if len(spelling) >= 3 and f" {spelling} " in padded:
            return spelling
    return None


def _spellings(item: dict) -> tuple[str, ...]:
    """Aliases as text (YAML reads a bare number such as 937 as an int)."""
    return tuple(str(alias) for alias in item.get("aliases") or ())


def parse_catalogue(data: dict) -> Catalogue:
    """Build the catalogue from the YAML structure; raise ValueError on a broken file."""
    catalogue = Catalogue()
    for item in data.get("entities") or []:
        entity = Entity(str(item["key"]), str(item["name"]), _spellings(item))
        if entity.key in catalogue.entities:
            raise ValueError(f"duplicate entity key {entity.key!r}")
        catalogue.entities[entity.key] = entity
        for spelling in (entity.name, *entity.aliases):
            catalogue._entity_index.setdefault(comparison_key(spelling), entity.key)
        for p in item.get("platforms") or []:
            platform = Platform(str(p["key"]), str(p["name"]), entity.key, _spellings(p))
            if platform.key in catalogue.platforms:
                raise ValueError(f"duplicate platform key {platform.key!r}")
            catalogue.platforms[platform.key] = platform
            for spelling in (platform.name, *platform.aliases):
                catalogue._platform_index.setdefault(comparison_key(spelling), platform.key)
        for s in item.get("services") or []:
            alternative = s.get("digital_alternative") or {}
            platform_key = s.get("platform")
            if platform_key and platform_key not in catalogue.platforms:
                raise ValueError(f"service {s['name']!r} names unknown platform {platform_key!r}")
            catalogue.services.append(
                Service(
                    name=str(s["name"]),
                    entity_key=entity.key,
                    digital=bool(s.get("digital", True)),
                    platform_key=platform_key,
                    aliases=_spellings(s),
                    alternative_name=alternative.get("name"),
                    alternative_where=alternative.get("where"),
                )
            )
    return catalogue


_cache: dict[Path, tuple[float, Catalogue]] = {}
_lock = threading.Lock()


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """The catalogue in `path`, re-read when the file changes."""
    file = Path(path) if path else DEFAULT_CATALOGUE_FILE
    mtime = file.stat().st_mtime if file.exists() else 0.0
    with _lock:
        cached = _cache.get(file)
        if cached and cached[0] == mtime:
            return cached[1]
        data = yaml.safe_load(file.read_text(encoding="utf-8")) if file.exists() else {}
        catalogue = parse_catalogue(data or {})
        _cache[file] = (mtime, catalogue)
        return catalogue
