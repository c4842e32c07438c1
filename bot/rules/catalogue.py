"""The catalogue of government entities, platforms and services (`resources/catalogue.yml`).

Data, not code: operators add entities, spellings and services to the file; the action
server re-reads it when it changes, and `make train` regenerates the NLU lookup tables
and synonyms from it (`scripts/generate_catalogue_nlu.py`). A name the catalogue does
not know is still accepted: the report is flagged for review instead.

Names typed in Latin letters (Arabizi: «natayij altullab», «naqil khadamat 3amil») are
looked up, when no spelling matches as typed, by their consonants
(`bot.rules.arabizi.consonant_key`), so the value stored is the catalogue's spelling.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.rules.arabic import comparison_key
from bot.rules.arabizi import consonant_key, consonant_words, has_latin_word, in_arabic_script
from bot.rules.similarity import similarity
from bot.rules.stems import same_word, word_forms

DEFAULT_CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "resources" / "catalogue.yml"
SERVICE_MATCH_THRESHOLD = 0.6
SERVICE_ANSWERS_KEPT = 10_000  # remembered service lookups per catalogue (then forgotten)
# Words of a service's name that say nothing about which service it is (every story of a
# complaint says «شكوى» and «طلب»; «عبر منصة» is how, not what).
LOOSE_GENERIC = frozenset(
    {
        *("في", "فى", "على", "علي", "من", "عن", "الي", "لدي", "عبر", "او", "مع", "و"),
        *("طلب", "تقديم", "خدمه", "خدمات", "منصه", "تطبيق", "موقع", "بوابه", "شكوي", "بلاغ"),
        *("جهه", "الكتروني", "الكترونيه", "رقمي", "جديد", "اصدار", "استخراج"),
    }
)
# Words of a story that look like a word of a service name but are not («عملت» = I did,
# not «العمل»; «سويت»).
LOOSE_IGNORED = frozenset({"عملت", "عملنا", "عملوا", "عملو", "اعمل", "نعمل", "سويت", "سوينا"})
# Platform names that are everyday words: named as a platform only after a cue.
COMMON_WORD_NAMES = frozenset({"مقيم", "بلدي", "نور", "قوي", "موعد", "اعتماد", "مساند"})
PLATFORM_CUES = frozenset(
    {"منصه", "تطبيق", "موقع", "نظام", "بوابه", "حساب", "في", "علي", "عبر", "من", "مع", "بـ"}
)
LOOSE_WINDOW_EXTRA = 3  # words of a story allowed between the words of one service name
_CLITICS = ("وبال", "فبال", "وال", "فال", "بال", "كال", "لل", "و", "ف", "ب", "ل", "ك")
# A name typed in Latin letters is found by its consonants (`Catalogue.arabizi`): the whole
# answer when its consonants are these many or more, inside a longer text (a story) when
# the name's are. Fewer would find names in unrelated words («noor»: ن ر).
ARABIZI_MIN_CONSONANTS = 3
ARABIZI_MIN_CONSONANTS_INSIDE = 4
ARABIZI_LOOSE_MIN = 3  # consonants of a word that counts when a service is named loosely


@dataclass(frozen=True)
class LooseSpelling:
    """A service spelling read word by word: the forms of its significant words, and
    which of them are not words of its own entity's or platform's names (a match must
    rest on the service's own words, not only on «التأمينات» or «إحسان»)."""

    service: Service
    words: tuple[frozenset[str], ...]
    own: tuple[bool, ...]


@dataclass(frozen=True, order=True)
class LooseMatch:
    """How well a story names a spelling: the share of its words found close together,
    how many of them are the service's own (not words of its entity's or platform's name:
    «بلدي» in «رخصة الحفر في بلدي» names the platform, not «رخصة بلدية»), how many in all,
    then whether the service belongs to the entity or platform also named."""

    coverage: float
    own: int
    count: int
    preferred: int


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
        key = _lookup(self._entity_index, text) or self.arabizi("entity", text)
        return self.entities[key] if key else None

    def platform(self, text: str | None) -> Platform | None:
        key = _lookup(self._platform_index, text) or self.arabizi("platform", text)
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
        return best[1] if best else self.arabizi("service", text)

    def arabizi(self, kind: str, text: str | None, inside: bool = False) -> Any:
        """The entity or platform key, or the service, that a text in Latin letters names
        («alhawiya alraqamiya» → «عرض الهوية الرقمية»): the Arabizi transliterated and
        compared by consonants with the catalogue's Arabic spellings: the whole text (an
        answer; not for a story, `inside`), else the longest spelling found inside it
        that rests on a word typed in Latin letters. Consonants that two names share are
        never taken. None for a text without Latin letters."""
        if not text or not has_latin_word(text):
            return None
        words = consonant_words(text)
        index = self._arabizi_index[kind]
        whole = tuple(word for word, _ in words)
        if not inside and len("".join(whole)) >= ARABIZI_MIN_CONSONANTS and whole in index:
            return index[whole]
        for spelling in self._arabizi_spellings[kind]:
            size = len(spelling)
            for start in range(len(words) - size + 1):
                window = words[start : start + size]
                if tuple(w for w, _ in window) == spelling and any(a for _, a in window):
                    return index[spelling]
        return None

    @functools.cached_property
    def _arabizi_index(self) -> dict[str, dict[tuple[str, ...], Any]]:
        """Per kind, the consonants of each Arabic spelling → its name (an entity's or
        platform's key, a service); consonants that two names share are left out."""
        named: dict[str, list[tuple[str, Any]]] = {
            "entity": [(s, e.key) for e in self.entities.values() for s in (e.name, *e.aliases)],
            "platform": [(s, p.key) for p in self.platforms.values() for s in (p.name, *p.aliases)],
            "service": [(s, v) for v in self.services for s in (v.name, *v.aliases)],
        }
        indexes = {}
        for kind, spellings in named.items():
            index: dict[tuple[str, ...], Any] = {}
            shared: set[tuple[str, ...]] = set()
            for spelling, item in spellings:
                key = tuple(consonant_key(spelling).split())
                if key and not has_latin_word(spelling) and index.setdefault(key, item) != item:
                    shared.add(key)
            indexes[kind] = {key: item for key, item in index.items() if key not in shared}
        return indexes

    @functools.cached_property
    def _arabizi_spellings(self) -> dict[str, list[tuple[str, ...]]]:
        """Per kind, the consonant spellings long enough to be found inside a text,
        longest first."""
        return {
            kind: sorted(
                (k for k in index if len("".join(k)) >= ARABIZI_MIN_CONSONANTS_INSIDE),
                key=lambda k: (-len("".join(k)), k),
            )
            for kind, index in self._arabizi_index.items()
        }

    def mentioned(self, text: str) -> tuple[Entity | None, Platform | None, Service | None]:
        """The entity, platform and service whose names a longer text contains (a story:
        «قدمت على تجديد الجواز في ابشر»), the longest spelling first, clitics aside
        («بأبشر»); a service named loosely («ما قدرت اجدد اقامتي في مقيم») is found by the
        words of its names (`loosely_named`). The entity follows from the platform or the
        service when the text does not name it."""
        padded = f" {self._without_clitics(comparison_key(text))} "
        service_spelling = _contained(self._service_by_spelling, padded)
        service = self._service_by_spelling[service_spelling] if service_spelling else None
        if service_spelling:  # «نقل» in «نقل ملكية السيارة» is no mention of «منصة نقل»
            padded = padded.replace(f" {service_spelling} ", " | ")
        platform = self.platform(_contained(self._platform_index, padded))
        if platform is not None and not self.named_as_platform(platform, text):
            platform = None
        entity = self.entity(_contained(self._entity_index, padded))
        if service is None:
            service = self.loosely_named(padded, entity, platform)
        if has_latin_word(text):  # «ma 2dert ashoof natayij altullab»
            service = service or self.arabizi("service", text, inside=True)
            service = service or self.loosely_named_in_arabizi(text, entity, platform)
            if platform is None and (key := self.arabizi("platform", text, inside=True)):
                found = self.platforms[key]
                platform = found if self.named_as_platform(found, in_arabic_script(text)) else None
            key = None if entity else self.arabizi("entity", text, inside=True)
            entity = entity or (self.entities[key] if key else None)
        if entity is None and platform is not None:
            entity = self.entities.get(platform.entity_key)
        if entity is None and service is not None:
            entity = self.entities.get(service.entity_key)
        if platform is None and service is not None and service.platform_key:
            platform = self.platforms.get(service.platform_key)
        return entity, platform, service

    def named_as_platform(self, platform: Platform, text: str) -> bool:
        """Is `platform` named as a platform in `text`? A name that is also an everyday
        word («انا مقيم»: a resident; «بلدي»: my country) counts only with a cue before
        it (منصة، تطبيق، في، على، عبر…) or a preposition attached («بمقيم»)."""
        names = {comparison_key(n) for n in (platform.name, *platform.aliases)}
        if not names & COMMON_WORD_NAMES:
            return True
        words = comparison_key(text).split()
        for index, word in enumerate(words):
            for name in names & COMMON_WORD_NAMES:
                if word == name and index and words[index - 1] in PLATFORM_CUES:
                    return True
                if word != name and word.endswith(name) and word[: -len(name)] in ("ب", "ل", "وب"):
                    return True
        padded = f" {' '.join(words)} "  # another spelling («منصة نور», «noor») needs no cue
        return any(f" {name} " in padded for name in names - COMMON_WORD_NAMES)

    def loosely_named(
        self, text: str, entity: Entity | None = None, platform: Platform | None = None
    ) -> Service | None:
        """The service a story names by the words of one of its names, in any order and
        form («اجدد اقامتي» for «تجديد الإقامة»): all the significant words of a name, or
        all but one of a name of three or more when two of the service's own words are
        there. Among services named equally well, the one of the entity or platform also
        named; a tie that it does not break, or a partial match of another entity's
        service, gives None: better ask than store a wrong service."""
        words = [
            frozenset() if word in LOOSE_IGNORED else word_forms(word)
            for word in comparison_key(text).split()
        ]
        return self._loosely(words, self._loose_spellings, entity, platform)

    def loosely_named_in_arabizi(
        self, text: str, entity: Entity | None = None, platform: Platform | None = None
    ) -> Service | None:
        """`loosely_named` for the words a story typed in Latin letters, compared by their
        consonants («3amalt tawtheeq el 3oqood» names «توثيق عقد العمل»). Consonants say
        less than letters, so only words of three consonants or more count («زيارة عائلية»
        is «زر عل»: «wazarat» and «3la»), and every word of a name must be there, two of
        them the service's own («katabt … a3adel» is no «كتابة العدل»)."""
        words = [
            frozenset({consonants})
            if arabic
            and len(consonants) >= ARABIZI_LOOSE_MIN
            and comparison_key(arabic) not in LOOSE_IGNORED
            else frozenset()
            for consonants, arabic in consonant_words(text)
        ]
        return self._loosely(words, self._arabizi_loose_spellings, entity, platform, strict=True)

    def _loosely(
        self,
        words: list[frozenset[str]],
        spellings: list[LooseSpelling],
        entity: Entity | None,
        platform: Platform | None,
        strict: bool = False,
    ) -> Service | None:
        best: dict[Service, LooseMatch] = {}
        for spelling in spellings:
            match = _loose_match(spelling, words, entity, platform)
            if match and strict and (match.coverage < 1 or match.own < 2):
                continue
            if match and (spelling.service not in best or match > best[spelling.service]):
                best[spelling.service] = match
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return None
        service, match = ranked[0]
        named = {e.key for e in (entity,) if e} | {p.entity_key for p in (platform,) if p}
        if match.coverage < 1 and named and service.entity_key not in named:
            return None
        return service

    @functools.cached_property
    def _loose_spellings(self) -> list[LooseSpelling]:
        spellings = []
        for service in self.services:
            context = self._context_words(service)
            for name in (service.name, *service.aliases):
                kept = [w for w in comparison_key(name).split() if w not in LOOSE_GENERIC]
                forms = list(dict.fromkeys(word_forms(w) for w in kept))
                if len(forms) >= 2:
                    own = tuple(not any(same_word(f, c) for c in context) for f in forms)
                    spellings.append(LooseSpelling(service, tuple(forms), own))
        return spellings

    @functools.cached_property
    def _arabizi_loose_spellings(self) -> list[LooseSpelling]:
        """`_loose_spellings` by consonants (their words of three consonants or more)."""
        spellings = []
        for service in self.services:
            context = {
                c for name in self._context_names(service) for c in consonant_key(name).split()
            }
            for name in (service.name, *service.aliases):
                kept = [w for w in comparison_key(name).split() if w not in LOOSE_GENERIC]
                found = dict.fromkeys(
                    c for w in kept for c in consonant_key(w).split() if len(c) >= ARABIZI_LOOSE_MIN
                )
                if len(found) >= 2 and not has_latin_word(name):
                    forms = tuple(frozenset({c}) for c in found)
                    own = tuple(c not in context for c in found)
                    spellings.append(LooseSpelling(service, forms, own))
        return spellings

    def _context_names(self, service: Service) -> list[str]:
        """The names of the service's entity and platform."""
        names: list[str] = []
        for item in (
            self.entities.get(service.entity_key),
            self.platforms.get(service.platform_key or ""),
        ):
            if item is not None:
                names += [item.name, *item.aliases]
        return names

    def _context_words(self, service: Service) -> list[frozenset[str]]:
        """Forms of the words of the service's entity and platform names."""
        names = self._context_names(service)
        return [word_forms(w) for name in names for w in comparison_key(name).split()]

    @functools.cached_property
    def _first_words(self) -> frozenset[str]:
        """First words of every known spelling (to take clitics off a story's words)."""
        keys = [*self._entity_index, *self._platform_index, *self._service_by_spelling]
        return frozenset(key.split()[0] for key in keys if key)

    def _without_clitics(self, key: str) -> str:
        """«بابشر» → «ابشر»: a word whose clitic hides the first word of a known name."""
        words = []
        for word in key.split():
            if word not in self._first_words:
                for clitic in _CLITICS:
                    if word.startswith(clitic) and word[len(clitic) :] in self._first_words:
                        word = word[len(clitic) :]
                        break
            words.append(word)
        return " ".join(words)

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


def _loose_match(
    spelling: LooseSpelling,
    words: list[frozenset[str]],
    entity: Entity | None,
    platform: Platform | None,
) -> LooseMatch | None:
    """How well the story's `words` (their forms) name `spelling`, when well enough: its
    words found within a few words of each other (see `Catalogue.loosely_named`)."""
    size = len(spelling.words)
    positions = [
        [i for i, forms in enumerate(words) if forms and same_word(wanted, forms)]
        for wanted in spelling.words
    ]
    window = size + LOOSE_WINDOW_EXTRA
    found: list[int] = []
    for start in sorted({p for ps in positions for p in ps}):
        near = range(start, start + window)
        inside = [k for k, ps in enumerate(positions) if any(p in near for p in ps)]
        if len(inside) > len(found):
            found = inside
    own = sum(spelling.own[k] for k in found)
    full = len(found) == size and own >= 1
    partial = size >= 3 and len(found) == size - 1 and own >= 2
    if not (full or partial):
        return None
    preferred = int(bool(entity and spelling.service.entity_key == entity.key)) + int(
        bool(platform and spelling.service.platform_key == platform.key)
    )
    return LooseMatch(len(found) / size, own, len(found), preferred)


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
