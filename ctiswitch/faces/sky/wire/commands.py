"""The ClickToDial command table and the validation of a request's name and args.

Name and argument checks are separate functions so that the face can
authenticate (error 5) between them, in whatever order it settles on.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .errors import BAD_ARGUMENTS, MISSING_CLASS, MISSING_METHOD, NO_SUCH_METHOD, SkyError

#: The one class the API offers; a request ``name`` is this plus ``.`` plus a method.
CLASS_NAME = "org.m5.apps.v1.cti.ClickToDial"


class Arg(Enum):
    """What one positional ``args`` entry holds; only ``CALL_ID`` has a type to check here."""

    NUMBER = "number"  # checked by numbers.normalize_dial_number
    ENDPOINT = "endpoint"  # free text, blank means the user's phone
    CALL_ID = "call id"  # blank, or a decimal call Id


@dataclass(frozen=True, slots=True)
class Method:
    """One ClickToDial method: its exact (case-sensitive) name and positional args."""

    name: str
    args: tuple[Arg, ...]
    over_get: bool = True

    @property
    def full_name(self) -> str:
        return f"{CLASS_NAME}.{self.name}"


DIAL = Method("dial", (Arg.NUMBER, Arg.ENDPOINT))
ANSWER = Method("answer", (Arg.CALL_ID, Arg.ENDPOINT))
IGNORE = Method("ignore", (Arg.CALL_ID,))
RELEASE = Method("release", (Arg.CALL_ID,))
HOLD = Method("hold", (Arg.CALL_ID,))
RESUME = Method("resume", (Arg.CALL_ID,))
LIST_CALLS = Method("listCalls", (Arg.ENDPOINT,))
#: "This command cannot be used with a GET request."
SUBSCRIBE = Method("subscribe", (), over_get=False)

METHODS: dict[str, Method] = {
    m.name: m for m in (DIAL, ANSWER, IGNORE, RELEASE, HOLD, RESUME, LIST_CALLS, SUBSCRIBE)
}


def resolve_method(name: str, *, over_get: bool = False) -> Method | SkyError:
    """Map a request ``name`` to its method, or to error 2, 3 or 4.

    The guide lists codes 2, 3 and 4 with their three messages in order and
    says they cover an "incomplete, non-existent, or mistyped command":
    no class part (empty, no dot, or a leading dot) is 2; the class alone or a
    trailing dot is 3; any other class or method, in any other case, is 4.
    ``subscribe`` over GET is also 4: on that interface the method does not
    exist, while its (zero) arguments are not at fault, so 13 would mislead.
    """
    class_part, dot, method_part = name.rpartition(".")
    if not dot or not class_part:
        return MISSING_CLASS
    if name == CLASS_NAME or not method_part:
        return MISSING_METHOD
    method = METHODS.get(method_part) if class_part == CLASS_NAME else None
    if method is None or (over_get and not method.over_get):
        return NO_SUCH_METHOD
    return method


def check_arguments(
    method: Method, args: Sequence[str], *, lenient: bool = False
) -> tuple[str, ...] | SkyError:
    """Return the args as a tuple, or error 13 for a wrong count or a non-numeric Call ID.

    The guide is strict: "any optional arguments must still be present even
    if they are left blank". Some clients (``willr/M5-Dialup``) send none at
    all, so ``lenient`` pads missing trailing args with blanks; too many args
    are an error either way.
    """
    wanted = len(method.args)
    if len(args) > wanted or (len(args) < wanted and not lenient):
        return BAD_ARGUMENTS
    padded = tuple(args) + ("",) * (wanted - len(args))
    for kind, value in zip(method.args, padded, strict=True):
        if kind is Arg.CALL_ID and value and not (value.isascii() and value.isdigit()):
            return BAD_ARGUMENTS
    return padded
