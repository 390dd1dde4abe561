"""Read the knowledge base from YAML files, refusing anything malformed or uncited.

Every file is a mapping with an optional `description` and a list under `entries`.
Errors name the file (relative to the data folder), the entry id and the field.
Domain packages (screening, education, intake) load their own folders with
`load_entries()`, so every part of the knowledge base passes the same checks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from esiguard.errors import KnowledgeBaseError

M = TypeVar("M", bound=BaseModel)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, data_root: Path) -> Any:
    """Parse one YAML file with duplicate keys refused; errors name the file."""
    rel = relative_name(path, data_root)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(rel, None, None, f"cannot be read ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(rel, None, None, f"is not valid YAML: {exc}") from exc


def relative_name(path: Path, data_root: Path) -> str:
    try:
        return path.relative_to(data_root).as_posix()
    except ValueError:
        return path.as_posix()


def _entry_name(raw: Any, index: int, id_field: str) -> str:
    if isinstance(raw, dict) and isinstance(raw.get(id_field), str):
        return str(raw[id_field])
    return f"entries[{index}]"


def _format_loc(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_entries(raw: Any, model: type[M], *, file: str, id_field: str = "id") -> list[M]:
    """Validate the `entries` list of one parsed file against `model`."""
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(file, None, None, "must be a mapping with an 'entries' list")
    unknown = set(raw) - {"description", "entries"}
    if unknown:
        raise KnowledgeBaseError(
            file, None, sorted(unknown)[0], "unknown top-level key (allowed: description, entries)"
        )
    items = raw.get("entries")
    if not isinstance(items, list):
        raise KnowledgeBaseError(file, None, "entries", "must be a list")
    parsed: list[M] = []
    for index, item in enumerate(items):
        name = _entry_name(item, index, id_field)
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = _format_loc(err["loc"]) or None
            problem = err["msg"]
            if err["type"] == "extra_forbidden":
                allowed = ", ".join(sorted(model.model_fields))
                problem = f"unknown field (allowed: {allowed})"
            raise KnowledgeBaseError(file, name, field, problem) from exc
    return parsed


def load_entries(
    data_root: Path, pattern: str, model: type[M], *, id_field: str = "id"
) -> list[tuple[str, M]]:
    """Load every file under `data_root` matching `pattern`; return (file, entry) pairs.

    Duplicate ids across the matched files are an error naming both files.
    """
    out: list[tuple[str, M]] = []
    seen: dict[str, str] = {}
    files = sorted(data_root.glob(pattern))
    for path in files:
        if path.name == "index.yaml":
            continue
        rel = relative_name(path, data_root)
        for entry in parse_entries(read_yaml(path, data_root), model, file=rel, id_field=id_field):
            key = getattr(entry, id_field)
            if key in seen:
                raise KnowledgeBaseError(
                    rel, str(key), id_field, f"duplicate id (first defined in {seen[key]})"
                )
            seen[key] = rel
            out.append((rel, entry))
    return out


def check_citations(
    entries: Iterable[tuple[str, Any]],
    sources: dict[str, Any],
    *,
    today: dt.date,
    id_field: str = "id",
) -> None:
    """Every cited entry must cite known sources and carry a sane checked_on date."""
    for file, entry in entries:
        name = str(getattr(entry, id_field, "") or getattr(entry, "code", "") or "")
        refs = getattr(entry, "sources", None)
        if refs is None:
            continue
        for i, ref in enumerate(refs):
            if ref.ref not in sources:
                raise KnowledgeBaseError(
                    file, name, f"sources[{i}].ref", f"unknown source id {ref.ref!r}"
                )
        checked = entry.checked_on
        if checked > today:
            raise KnowledgeBaseError(file, name, "checked_on", f"is in the future ({checked})")
        for i, ref in enumerate(refs):
            published = sources[ref.ref].published_on
            if published is not None and checked < published:
                raise KnowledgeBaseError(
                    file,
                    name,
                    "checked_on",
                    f"{checked} is before source {ref.ref} was published ({published})",
                )
            if i > 50:
                break
        if entry.verification in ("unverified", "interpretation") and not entry.verification_note:
            raise KnowledgeBaseError(
                file,
                name,
                "verification_note",
                f"required when verification is {entry.verification}",
            )


def read_json(path: Path, data_root: Path) -> Any:
    rel = relative_name(path, data_root)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise KnowledgeBaseError(rel, None, None, f"is not valid JSON: {exc}") from exc
