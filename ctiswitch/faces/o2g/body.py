"""Reading O2G request bodies and query strings without ever failing with a 500.

A request body is parsed strictly (one JSON object, bounded size, no NaN) and
read field by field through ``Body``; each problem becomes a 400
``BAD_PARAMETER`` whose innerMessage names the field by its full path
(``filter.selectors[0].names``), so a client developer sees at once what to
fix. An empty body counts as ``{}``: ALE's Node SDK posts bodiless commands
with ``Content-Type: application/json``, and its Python sample sends ``{}``
on GET and DELETE (o2g-wire.md §1.4).
"""
from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from .errors import O2GError, bad_parameter

#: Largest request body accepted; the biggest O2G bodies are a few kilobytes.
MAX_BODY_BYTES = 256 * 1024


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def read_body(request: Request) -> Body:
    """The request body as a Body; raises O2GError 400 (413 when too large)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise O2GError(413, "BAD_PARAMETER", f"the request body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return Body({}, "")
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_parameter("body", f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise bad_parameter("body", "must be a JSON object")
    return Body(data, "")


class Body:
    """One JSON object of a request, read field by field.

    ``path`` is where the object sits in the request ("" for the body
    itself), used to name fields in errors. Optional getters return the
    default when the field is absent or null.
    """

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.data = data
        self.path = path

    def name(self, field: str) -> str:
        return f"{self.path}.{field}" if self.path else field

    def _get(self, field: str, required: bool) -> Any:
        value = self.data.get(field)
        if value is None and required:
            raise bad_parameter(self.name(field), "is missing")
        return value

    def string(self, field: str, *, required: bool = True, empty: bool = False) -> Any:
        """A string field; ``None`` when optional and absent."""
        value = self._get(field, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise bad_parameter(self.name(field), "must be a string")
        if not empty and not value:
            raise bad_parameter(self.name(field), "must not be empty")
        return value

    def boolean(self, field: str, default: bool = False) -> bool:
        value = self._get(field, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise bad_parameter(self.name(field), "must be true or false")
        return value

    def integer(self, field: str, default: int | None = None, *, minimum: int | None = None,
                maximum: int | None = None) -> Any:
        """An integer field (a float with no fraction is accepted, as Gson writes some)."""
        value = self._get(field, default is None)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and (not math.isfinite(value) or not value.is_integer())):
            raise bad_parameter(self.name(field), "must be an integer")
        value = int(value)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise bad_parameter(self.name(field), f"must be between {minimum} and {maximum}")
        return value

    def object(self, field: str, *, required: bool = True) -> Body | None:
        value = self._get(field, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_parameter(self.name(field), "must be a JSON object")
        return Body(value, self.name(field))

    def objects(self, field: str, *, required: bool = False) -> list[Body]:
        """A list of objects; absent means empty unless required."""
        items = self._list(field, required)
        bodies = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise bad_parameter(f"{self.name(field)}[{index}]", "must be a JSON object")
            bodies.append(Body(item, f"{self.name(field)}[{index}]"))
        return bodies

    def strings(self, field: str, *, required: bool = False) -> list[str]:
        """A list of strings; absent means empty unless required."""
        items = self._list(field, required)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                raise bad_parameter(f"{self.name(field)}[{index}]", "must be a string")
        return items

    def _list(self, field: str, required: bool) -> list[Any]:
        value = self._get(field, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise bad_parameter(self.name(field), "must be a JSON array")
        return value


def query_flag(request: Request, name: str) -> bool:
    """A value-less query flag (``?onlyACD``): present means true, unless
    written ``=false`` by a client that ignored the documentation."""
    if name not in request.query_params:
        return False
    return request.query_params[name].lower() not in ("false", "0")
