"""Small JSON request/response helpers for the server's own endpoints
(/health, the sim API, the fallback errors).

Bad input must never reach the engine as a TypeError or end in a 500: the
body is parsed strictly (one JSON object, no NaN, bounded size) and read field
by field, and each failure names the field and what is wrong with it.
"""
from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

#: Largest request body accepted; sim requests are a few dozen bytes.
MAX_BODY_BYTES = 64 * 1024


class ApiError(Exception):
    """An error answer, raised wherever the problem is found and turned into
    a response in one place."""

    def __init__(self, status: int, error: str, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers

    def response(self) -> JSONResponse:
        return error_response(self.status, self.error, self.message, self.headers)


def error_response(status: int, error: str, message: str,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one error shape: ``{"error": <code>, "message": <for a person>}``."""
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def status_code_name(status: int) -> str:
    """``404`` -> ``"not_found"``: an error code for statuses raised by routing."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def read_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; an empty body counts as ``{}`` so
    that actions without parameters can be posted bare."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "body_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", f"the body must be a JSON object, not {_json_type(data)}")
    return data


class Body:
    """A JSON object body with a fixed set of fields, read with type checks.

    Unknown fields are refused rather than ignored: in a control API a
    misspelt ``"delai"`` silently doing nothing costs more than a 400.
    """

    def __init__(self, data: dict[str, Any], fields: Collection[str]) -> None:
        unknown = sorted(set(data) - set(fields))
        if unknown:
            expected = ", ".join(fields) if fields else "no fields"
            raise ApiError(400, "invalid_field", f"unknown field {unknown[0]!r}; expected {expected}")
        self._data = data

    def string(self, name: str) -> str:
        """A required string field."""
        if name not in self._data:
            raise ApiError(400, "missing_field", f"field {name!r} is required")
        return self._string(name)

    def optional_string(self, name: str) -> str | None:
        """A string field that may be absent or null."""
        if self._data.get(name) is None:
            return None
        return self._string(name)

    def number(self, name: str, *, default: float | None = None, minimum: float | None = None) -> float:
        """A finite number field (JSON true/false are not numbers here)."""
        if name not in self._data:
            if default is None:
                raise ApiError(400, "missing_field", f"field {name!r} is required")
            return default
        value = self._data[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError(400, "invalid_field", f"field {name!r} must be a number, not {_json_type(value)}")
        if not math.isfinite(value):
            raise ApiError(400, "invalid_field", f"field {name!r} must be a finite number")
        if minimum is not None and value < minimum:
            raise ApiError(400, "invalid_field", f"field {name!r} must be at least {minimum:g}, not {value!r}")
        return float(value)

    def _string(self, name: str) -> str:
        value = self._data[name]
        if not isinstance(value, str):
            raise ApiError(400, "invalid_field", f"field {name!r} must be a string, not {_json_type(value)}")
        return value


def _json_type(value: Any) -> str:
    """How a JSON value's type is called in JSON, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
