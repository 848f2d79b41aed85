"""JSON (a list of objects, as :func:`evsynth.sources.writers.write_records` writes) → Record."""

from __future__ import annotations

import json
from typing import Any

from ...errors import InputError
from ...models import RECORD_FIELDS, Record
from ._common import split_list

_TUPLES = frozenset({"authors", "publication_types", "mesh", "keywords"})


def _item_record(item: Any, index: int, path: str | None) -> Record:
    where = f"item {index} (0-based)"
    if not isinstance(item, dict):
        raise InputError(f"{where} is a {type(item).__name__}, not an object", path=path)
    data = dict(item)
    for name in RECORD_FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if name in _TUPLES:
            if isinstance(value, str):
                data[name] = split_list(value, ";")
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                data[name] = tuple(value)
            else:
                raise InputError(f"{where}: {name} must be a list of strings", path=path, field=name)
        elif name == "year":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or (
                isinstance(value, str) and not value.strip().isdigit()
            ):
                if isinstance(value, str) and not value.strip():
                    data[name] = None
                    continue
                raise InputError(f"{where}: year {value!r} is not a whole number", path=path, field=name)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            data[name] = str(value)
        elif not isinstance(value, str):
            raise InputError(f"{where}: {name} must be a string", path=path, field=name)
    if data.get("extra") is not None and not isinstance(data["extra"], dict):
        raise InputError(f"{where}: extra must be an object", path=path, field="extra")
    for key in ("source", "source_id"):
        if data.get(key) is not None and not isinstance(data[key], str):
            data[key] = str(data[key])
    data.pop("store_id", None)
    data.pop("duplicate_of", None)
    if not data.get("source"):
        data["source"] = "json"
    return Record.from_dict(data)


def iter_json(text: str, path: str | None = None) -> tuple[list[Record], list[str]]:
    """Parse a JSON list of record objects (a single object is one record).

    Raises
    ------
    InputError
        Invalid JSON (names the line), not a list of objects, or a field of the
        wrong type (names the item and field).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from exc
    if isinstance(data, dict):
        data = data["records"] if isinstance(data.get("records"), list) else [data]
    if not isinstance(data, list):
        raise InputError("JSON records must be a list of objects", path=path, line=1)
    if not data:
        raise InputError("the JSON list holds no records", path=path, line=1)
    return [_item_record(item, i, path) for i, item in enumerate(data)], []
