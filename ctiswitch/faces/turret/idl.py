"""The Turret API IDL, loaded once.

`turret.thrift` is our own transcription of the vendor IDL (spec
turret-and-sky.md §A1). thriftpy2 turns it into a module of classes at
runtime; parsing costs a few milliseconds and must yield one set of classes
for the whole process (isinstance checks compare classes), so it is loaded
once and cached.
"""

from __future__ import annotations

import functools
import types
from pathlib import Path
from typing import Any

import thriftpy2

IDL_PATH = Path(__file__).with_name("turret.thrift")
MODULE_NAME = "turret_thrift"  # thriftpy2 requires the "_thrift" suffix

REQUEST_SERVICE = "TurretRequestService"
NOTIFICATION_SERVICE = "TurretNotificationService"


@functools.cache
def load_idl() -> types.ModuleType:
    """Return the `turret_thrift` module: constants, enums, structs, services."""
    return thriftpy2.load(str(IDL_PATH), module_name=MODULE_NAME)


def request_service() -> types.ModuleType:
    """`TurretRequestService`: what clients call on the turret (port 9007)."""
    return getattr(load_idl(), REQUEST_SERVICE)


def notification_service() -> types.ModuleType:
    """`TurretNotificationService`: what the turret calls on each subscriber."""
    return getattr(load_idl(), NOTIFICATION_SERVICE)


def nested_spec(field_spec: tuple[Any, ...]) -> Any:
    """The nested part of a thriftpy2 field spec `(ttype, name[, nested], required)`:
    the struct or enum class, or the element spec of a container."""
    return field_spec[2] if len(field_spec) == 4 else None


def element_spec(spec: Any) -> tuple[int, Any]:
    """Split a thriftpy2 element spec, `ttype` or `(ttype, nested)`."""
    return spec if isinstance(spec, tuple) else (spec, None)
