"""Engine causes as O2G CallCause and comlog Reason (call-model §2.6).

An internal cause without an O2G counterpart maps to None and the field is
left out, as O2G does for a call that simply progresses.
"""
from __future__ import annotations

from ctiswitch.engine.states import Cause

C = Cause

#: Internal cause -> O2G CallCause, for events that change or end a call.
CALL_CAUSE: dict[Cause, str | None] = {
    C.NEW_CALL: None,
    C.CONSULTATION: None,
    C.NORMAL: "CLEARED",
    C.FORCED_CLEAR: "CLEARED",
    C.ABANDONED: "ABANDONED",
    C.BUSY: "BUSY",
    C.DND: "BUSY",
    C.INVALID_NUMBER: "INVALID_NUMBER",
    C.DEST_NOT_OBTAINABLE: "DESTINATION_NOT_OBTAINABLE",
    C.TRUNKS_BUSY: "ALL_TRUNK_BUSY",
    C.REJECTED: "BUSY",
    C.NO_ANSWER: "UNKNOWN",
    C.FORWARD_IMMEDIATE: "FORWARDED",
    C.FORWARD_BUSY: "FORWARDED",
    C.FORWARD_NO_ANSWER: "FORWARDED",
    C.REDIRECTED: "REDIRECTED",
    C.OVERFLOW: "FORWARDED",
    C.VOICEMAIL: "FORWARDED",
    C.DISTRIBUTED: "DISTRIBUTED",
    C.ANSWERED_ELSEWHERE: "DISTRIBUTED",
    C.PICKUP: "PICKED_UP",
    C.UNPARK: "PICKED_UP",
    C.PARK: "UNKNOWN",
    C.RECALL: "RECALL",
    C.TRANSFER: "TRANSFERRED",
    C.SINGLE_STEP: "TRANSFERRED",
    C.CONFERENCE: "CONFERENCED",
    C.PARTICIPANT_LEFT: "PARTICIPANT_LEFT",
}

#: Causes that say where a call went: OnCallRemoved carries newDestination.
DIVERTING = frozenset({
    C.FORWARD_IMMEDIATE, C.FORWARD_BUSY, C.FORWARD_NO_ANSWER, C.REDIRECTED, C.OVERFLOW, C.VOICEMAIL,
    C.PICKUP, C.SINGLE_STEP,
})

#: Internal cause value (as stored in the call log) -> comlog Reason.
COMLOG_REASON: dict[str, str] = {
    C.NORMAL.value: "NORMAL",
    C.FORCED_CLEAR.value: "NORMAL",
    C.ABANDONED.value: "ABANDONED",
    C.BUSY.value: "BUSY",
    C.DND.value: "BUSY",
    C.REJECTED.value: "BUSY",
    C.INVALID_NUMBER.value: "INVALID_NUMBER",
    C.TRUNKS_BUSY.value: "ALL_TRUNK_BUSY",
    C.FORWARD_IMMEDIATE.value: "FORWARDED",
    C.FORWARD_BUSY.value: "FORWARDED",
    C.FORWARD_NO_ANSWER.value: "FORWARDED",
    C.REDIRECTED.value: "REDIRECTED",
    C.OVERFLOW.value: "VOICEMAIL",
    C.VOICEMAIL.value: "VOICEMAIL",
    C.PICKUP.value: "PICKUP",
    C.UNPARK.value: "PICKUP",
    C.PARK.value: "NORMAL",
    C.TRANSFER.value: "TRANSFERRED",
    C.SINGLE_STEP.value: "TRANSFERRED",
    C.CONFERENCE.value: "CONFERENCED",
    C.PARTICIPANT_LEFT.value: "NORMAL",
}


def call_cause(cause: Cause, *, ending: bool) -> str | None:
    """The CallCause for an event. A NORMAL cause only explains an ending:
    a hold or a retrieve is not "CLEARED"."""
    if cause is C.NORMAL and not ending:
        return None
    return CALL_CAUSE.get(cause)
