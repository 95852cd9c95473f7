"""Reader for Rasa 3.x NLU training data (YAML), including inline entity annotations.

Supports what our data uses and what Rasa documents for NLU files: `intent` blocks whose
`examples` are a `- item` block string or a list of `{text: ...}` mappings, `synonym`, `lookup`
and `regex` blocks, and the annotation forms `[text](entity)`, `[text](entity:value)` and
`[text]{"entity": ..., "value": ...}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class NluDataError(ValueError):
    """Malformed training data; the message names the file and the offending item."""


@dataclass(frozen=True, slots=True)
class Annotation:
    entity: str
    start: int
    end: int
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # annotations stripped: what a user would type
    intent: str
    raw: str  # as written in the file, annotations included
    entities: tuple[Annotation, ...] = ()


@dataclass(frozen=True, slots=True)
class NluData:
    examples: tuple[Example, ...] = ()
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value -> texts
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> elements
    regexes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> patterns

    @property
    def intents(self) -> tuple[str, ...]:
        """Intent names in order of first appearance."""
        return tuple(dict.fromkeys(e.intent for e in self.examples))

    def by_intent(self) -> dict[str, list[Example]]:
        grouped: dict[str, list[Example]] = {}
        for example in self.examples:
            grouped.setdefault(example.intent, []).append(example)
        return grouped


_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+)\]"
    r"(?:\((?P<short>[^)]+)\)|(?P<json>\{[^{}]*\})|(?P<list>\[\s*\{.*?\}\s*\]))"
)


def _annotation_fields(match: re.Match[str]) -> list[dict[str, Any]]:
    if match.group("short") is not None:
        entity, _, value = match.group("short").partition(":")
        return [{"entity": entity.strip(), "value": value.strip() or None}]
    payload = json.loads(match.group("json") or match.group("list"))
    return payload if isinstance(payload, list) else [payload]


def parse_annotated(raw: str) -> tuple[str, tuple[Annotation, ...]]:
    """Strip Rasa entity markup: "[Cali](municipio)" -> ("Cali", (Annotation(...),))."""
    parts: list[str] = []
    annotations: list[Annotation] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(raw):
        before = raw[cursor : match.start()]
        parts.append(before)
        length += len(before)
        surface = match.group("text")
        try:
            fields = _annotation_fields(match)
        except json.JSONDecodeError as exc:
            raise NluDataError(f"bad entity annotation {match.group()!r}: {exc}") from exc
        for item in fields:
            if not item.get("entity"):
                raise NluDataError(f"entity annotation without a name: {match.group()!r}")
            value = item.get("value")
            annotations.append(
                Annotation(
                    entity=str(item["entity"]),
                    start=length,
                    end=length + len(surface),
                    value=surface if value is None else str(value),
                    text=surface,
                )
            )
        parts.append(surface)
        length += len(surface)
        cursor = match.end()
    parts.append(raw[cursor:])
    return "".join(parts), tuple(annotations)


def _items(block: Any, where: str) -> list[str]:
    """The items of an `examples` value: a "- item" block string or a list of {text: ...}."""
    if isinstance(block, str):
        items = []
        for line in block.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("- "):
                raise NluDataError(f"{where}: example line must start with '- ': {stripped!r}")
            items.append(stripped[2:].strip())
        return items
    if isinstance(block, list):
        items = []
        for entry in block:
            text = entry.get("text") if isinstance(entry, dict) else None
            if not isinstance(text, str):
                raise NluDataError(f"{where}: each example needs a 'text' string")
            items.append(text.strip())
        return items
    raise NluDataError(f"{where}: 'examples' must be a block string or a list")


def parse_document(document: Any, source: str) -> NluData:
    """Turn one parsed YAML document into training data; `source` names it in errors."""
    if not isinstance(document, dict):
        raise NluDataError(f"{source}: top level must be a mapping")
    entries = document.get("nlu") or []
    if not isinstance(entries, list):
        raise NluDataError(f"{source}: 'nlu' must be a list")
    examples: list[Example] = []
    synonyms: dict[str, tuple[str, ...]] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    regexes: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(entries):
        where = f"{source}: nlu[{index}]"
        if not isinstance(entry, dict):
            raise NluDataError(f"{where}: must be a mapping")
        if "intent" in entry:
            intent = str(entry["intent"])
            for raw in _items(entry.get("examples"), f"{where} (intent {intent})"):
                try:
                    text, annotations = parse_annotated(raw)
                except NluDataError as exc:
                    raise NluDataError(f"{where} (intent {intent}): {exc}") from exc
                examples.append(Example(text=text, intent=intent, raw=raw, entities=annotations))
        elif "synonym" in entry:
            value = str(entry["synonym"])
            synonyms[value] = synonyms.get(value, ()) + tuple(_items(entry.get("examples"), where))
        elif "lookup" in entry:
            name = str(entry["lookup"])
            lookups[name] = lookups.get(name, ()) + tuple(_items(entry.get("examples"), where))
        elif "regex" in entry:
            name = str(entry["regex"])
            regexes[name] = regexes.get(name, ()) + tuple(_items(entry.get("examples"), where))
        else:
            raise NluDataError(f"{where}: expected one of intent, synonym, lookup, regex")
    return NluData(tuple(examples), synonyms, lookups, regexes)


def merge(parts: Iterable[NluData]) -> NluData:
    examples: list[Example] = []
    synonyms: dict[str, tuple[str, ...]] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    regexes: dict[str, tuple[str, ...]] = {}
    for part in parts:
        examples.extend(part.examples)
        for target, source in ((synonyms, part.synonyms), (lookups, part.lookups)):
            for key, values in source.items():
                target[key] = target.get(key, ()) + values
        for key, values in part.regexes.items():
            regexes[key] = regexes.get(key, ()) + values
    return NluData(tuple(examples), synonyms, lookups, regexes)


def load_file(path: Path) -> NluData:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise NluDataError(f"{path}: invalid YAML: {exc}") from exc
    return parse_document(document, str(path))


def data_files(data_dir: Path) -> list[Path]:
    """The training files of a directory (not recursive, so `test/` stays out), sorted."""
    if not data_dir.is_dir():
        raise NluDataError(f"{data_dir}: not a directory")
    files = sorted(p for p in data_dir.iterdir() if p.suffix in {".yml", ".yaml"} and p.is_file())
    if not files:
        raise NluDataError(f"{data_dir}: no .yml training files")
    return files


def load(paths: Path | Sequence[Path]) -> NluData:
    """Load a training directory, one file, or a list of files."""
    if isinstance(paths, Path):
        paths = data_files(paths) if paths.is_dir() else [paths]
    return merge(load_file(p) for p in paths)


def _block(items: Iterable[str]) -> str:
    return "".join(f"- {item}\n" for item in items)


def to_yaml(data: NluData) -> str:
    """Rasa 3.1 YAML for `data` (examples keep their original annotations)."""
    nlu: list[dict[str, str]] = []
    for intent, examples in data.by_intent().items():
        nlu.append({"intent": intent, "examples": _block(e.raw for e in examples)})
    for value, texts in data.synonyms.items():
        nlu.append({"synonym": value, "examples": _block(texts)})
    for name, elements in data.lookups.items():
        nlu.append({"lookup": name, "examples": _block(elements)})
    for name, patterns in data.regexes.items():
        nlu.append({"regex": name, "examples": _block(patterns)})
    return yaml.dump(
        {"version": "3.1", "nlu": nlu},
        Dumper=_BlockDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as `|` blocks, as Rasa's own files do."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Quote digit strings: YAML 1.2 readers (Rasa's) would load "05148" as the number 5148.
    style = "|" if "\n" in value else ('"' if value.isdigit() else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)
