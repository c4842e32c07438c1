"""Generate the NLU lookup tables and synonyms from `resources/catalogue.yml`.

Run by `make train` whenever the catalogue changes; writes `data/nlu/catalogue.yml`
(generated: edit the catalogue, not that file). Every spelling of an entity, platform
or service becomes an element of its lookup table (`gov_entity`, `platform_name`,
`service_name`) and a synonym of its official name, so the extracted value is the
catalogue's canonical name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.rules.catalogue import DEFAULT_CATALOGUE_FILE, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "nlu" / "catalogue.yml"
TABLES = {"gov_entity": "gov_entity", "platform": "platform_name", "service": "service_name"}


def _quote(text: str) -> str:
    return text.replace("\n", " ").strip()


def render(catalogue_file: Path) -> str:
    names = load_catalogue(catalogue_file).names()
    lines = [
        "# GENERATED from resources/catalogue.yml by scripts/generate_catalogue_nlu.py:",
        "# edit the catalogue, then `make train`.",
        'version: "3.1"',
        "nlu:",
    ]
    for kind, table in TABLES.items():
        spellings = sorted(
            {_quote(s) for name, aliases in names[kind].items() for s in (name, *aliases)}
        )
        lines += [f"  - lookup: {table}", "    examples: |"]
        lines += [f"      - {spelling}" for spelling in spellings]
    seen: set[str] = set()
    for kind in TABLES:
        for name, aliases in sorted(names[kind].items()):
            others = sorted({_quote(a) for a in aliases if _quote(a) != name} - seen)
            if not others or name in seen:
                continue
            seen.update(others)
            seen.add(name)
            lines += [f"  - synonym: {name}", "    examples: |"]
            lines += [f"      - {alias}" for alias in others]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE_FILE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    text = render(args.catalogue)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run `make train` (or this script)")
            return 1
        return 0
    if current == text:
        # Left untouched, so that make (which looks at the file's time after the recipe)
        # does not retrain the models for a change to the code that gave the same text.
        print(f"{args.output} unchanged")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
