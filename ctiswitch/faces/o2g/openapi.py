"""An OpenAPI 3 document of the face, generated from the registered routes.

No schema library: each registered service contributes its routes, the
path parameters come from the route's path template, and the summary of an
operation is the first line of its endpoint's docstring. So a service
documents itself by writing the docstring it should have anyway, and the
telephony services appear as soon as they are installed.
"""
from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from starlette.routing import Route

from .api import Service

#: Responses every operation may give, as O2G documents them (RestErrorInfo bodies).
ERROR_RESPONSES = {code: {"description": text, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/RestErrorInfo"}}}}
    for code, text in (("400", "Bad Request"), ("401", "Unauthorized"), ("403", "Forbidden"),
                       ("404", "Not Found"), ("500", "Internal Server Error"), ("503", "Service Unavailable"))}

REST_ERROR_INFO = {
    "type": "object",
    "properties": {
        "httpStatus": {"type": "string"}, "code": {"type": "integer"}, "helpMessage": {"type": "string"},
        "type": {"type": "string"}, "innerMessage": {"type": "string"}, "canRetry": {"type": "boolean"},
        "routing": {"type": "object"}, "telephony": {"type": "object"}, "userPreferences": {"type": "object"},
    },
}


def summary(route: Route) -> str:
    doc = inspect.getdoc(route.endpoint) or ""
    return doc.strip().splitlines()[0] if doc.strip() else route.name


def document(services: Iterable[Service], version: str) -> dict[str, Any]:
    """The OpenAPI document: one path item per route path, one operation per method."""
    paths: dict[str, dict[str, Any]] = {}
    for service in services:
        for route in service.routes:
            if not isinstance(route, Route):
                continue
            item = paths.setdefault(f"/api/rest/1.0{route.path}", {})
            parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                          for name in route.param_convertors]
            for method in sorted((route.methods or set()) - {"HEAD"}):
                item[method.lower()] = {
                    "tags": [service.name],
                    "summary": summary(route),
                    "operationId": f"{method.lower()}_{route.path.strip('/').replace('/', '_')}"
                                   .replace("{", "").replace("}", ""),
                    "parameters": parameters,
                    "responses": {"2XX": {"description": "Success"}, **ERROR_RESPONSES},
                }
    return {
        "openapi": "3.0.3",
        "info": {"title": "ctiswitch O2G REST API", "version": version},
        "paths": paths,
        "components": {
            "schemas": {"RestErrorInfo": REST_ERROR_INFO},
            "securitySchemes": {"AlcUserId": {"type": "apiKey", "in": "cookie", "name": "AlcUserId"}},
        },
        "security": [{"AlcUserId": []}],
    }
