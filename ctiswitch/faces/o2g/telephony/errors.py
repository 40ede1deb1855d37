"""Engine refusals as O2G telephony errors (call-model §5.3, o2g.md §1.5).

Each refusal picks the HTTP status, the RestErrorInfo type and the nested
TelephonyErrorInfo (errorType, errorCause) in one table row, so the same
refusal reads the same whichever method met it.
"""
from __future__ import annotations

from ctiswitch.engine.errors import CommandError, Refusal

from ..errors import O2GError

R = Refusal
_STATE = (400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "INVALID_CONNECTION_STATE")

#: refusal -> (HTTP status, RestErrorInfo.type, errorType, errorCause)
REFUSALS: dict[Refusal, tuple[int, str, str, str]] = {
    R.CALL_NOT_FOUND: (404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND", "INVALID_CALL_ID"),
    R.CONNECTION_NOT_FOUND: (404, "NOT_FOUND", "LEG_NOT_FOUND", "INVALID_CALL_ID"),
    R.DEVICE_NOT_FOUND: (404, "NOT_FOUND", "BAD_PARAMETER_VALUE", "INVALID_DEVICE"),
    R.USER_NOT_FOUND: (404, "NOT_FOUND", "BAD_PARAMETER_VALUE", "INVALID_DESTINATION"),
    R.GROUP_NOT_FOUND: (404, "NOT_FOUND", "BAD_PARAMETER_VALUE", "INVALID_DESTINATION"),
    R.INVALID_STATE: _STATE,
    R.ALREADY_DONE: _STATE,
    R.CANT_COMPLETE: _STATE,
    R.NO_FREE_APPEARANCE: (400, "NOT_EXPECTED", "CALL_SERVER_ERROR", "RESOURCE_BUSY"),
    R.OUT_OF_SERVICE: (400, "NOT_EXPECTED", "CALL_SERVER_ERROR", "DEVICE_OUT_OF_SERVICE"),
    R.BAD_DESTINATION: (400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE", "INVALID_DESTINATION"),
    R.TARGET_UNREACHABLE: (400, "NOT_EXPECTED", "CALL_SERVER_ERROR", "INVALID_DESTINATION"),
    R.NOT_OWNER: (403, "NOT_ALLOWED", "UNAUTHORIZED", "UNKNOWN"),
    R.NO_VOICEMAIL: (400, "NOT_EXPECTED", "SERVICE_UNAVAILABLE", "UNKNOWN"),
    R.PARK_SLOT_BUSY: (400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "RESOURCE_BUSY"),
    R.SLOT_EMPTY: (400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "INVALID_DESTINATION"),
    R.CAPACITY: (400, "NOT_EXPECTED", "INCOMPATIBLE_WITH_STATE", "RESOURCE_BUSY"),
    R.BAD_VALUE: (400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE", "INVALID_DATA"),
}


def telephony_error(status: int, type: str, error_type: str, error_cause: str, message: str) -> O2GError:
    return O2GError(status, type, message,
                    telephony={"errorType": error_type, "errorCause": error_cause, "message": message})


def refused(error: CommandError) -> O2GError:
    """The O2G answer for an engine refusal."""
    status, type, error_type, error_cause = REFUSALS.get(error.refusal, _STATE)
    return telephony_error(status, type, error_type, error_cause, error.message)


def no_call(ref: str) -> O2GError:
    return telephony_error(404, "NOT_FOUND", "CALL_REFERENCE_NOT_FOUND", "INVALID_CALL_ID",
                           f"no call {ref!r} for this user")


def no_leg(message: str) -> O2GError:
    return telephony_error(400, "NOT_EXPECTED", "LEG_NOT_FOUND", "INVALID_CONNECTION_STATE", message)


def bad_value(message: str, cause: str = "INVALID_DATA") -> O2GError:
    return telephony_error(400, "BAD_PARAMETER", "BAD_PARAMETER_VALUE", cause, message)


def not_yours(number: str) -> O2GError:
    return telephony_error(403, "NOT_ALLOWED", "UNAUTHORIZED", "INVALID_DEVICE",
                           f"device {number} does not belong to this user")
