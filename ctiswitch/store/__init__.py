"""Durable records in SQLite: configuration overrides, call log, messages, callbacks.

A small synchronous repository with no engine imports. The engine emits
events, a bridge turns them into calls here, and at start-up the switch
re-applies ``Store.settings`` over the YAML company::

    store = open_store(Path("ctiswitch-data"))
    store.settings.put("user:1001", "dnd", True)
    record_id = store.call_log.append(CallRecord(id=None, login="1001", ...))
"""

from .call_log import CallLog
from .callbacks import Callbacks
from .database import DATABASE_FILE, Store, open_store
from .errors import StoreError
from .messages import Messages
from .records import DIRECTIONS, MESSAGE_KINDS, Callback, CallRecord, JsonValue, Message
from .settings import Settings

__all__ = [
    "DATABASE_FILE",
    "DIRECTIONS",
    "MESSAGE_KINDS",
    "CallLog",
    "CallRecord",
    "Callback",
    "Callbacks",
    "JsonValue",
    "Message",
    "Messages",
    "Settings",
    "Store",
    "StoreError",
    "open_store",
]
