"""The Sky error catalogue: codes and messages exactly as the vendor guide prints them.

Clients match on ``MajorErrorCode`` and sometimes on the text, so the strings
are copied verbatim from the seed's "Common error messages" section, including
its punctuation (some end with a full stop, some do not).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SkyError:
    """One ``org.m5.api.v1.Error`` item: a value, not an exception.

    ``minor`` is ``MinorErrorCode``; the only example the public record holds
    shows 0, and no other value is known.
    """

    code: int
    message: str
    minor: int = 0


#: Error 2: the ``name`` has no class part (empty, or no dot at all).
MISSING_CLASS = SkyError(2, "Command is missing a class name.")
#: Error 3: the ``name`` has a class but no method after the last dot.
MISSING_METHOD = SkyError(3, "Command is missing a method name.")
#: Error 4: the class or method does not exist (or is not offered over GET).
NO_SUCH_METHOD = SkyError(4, "No such method")
#: Error 5: wrong DID or PIN.
AUTHENTICATION_FAILED = SkyError(5, "Authorization or authentication failed")
#: Error 5: the DID is blocked for abuse (not rate limiting).
USER_BLOCKED = SkyError(5, "Your user has been temporarily blocked for API abuse.")
#: Error 6: rate limiting (today only ``listCalls``).
RATE_LIMITED = SkyError(6, "This application has been temporarily blocked for API misuse.")
#: Error 8: no phone is logged in for the DID (or the endpoint named is not it).
ENDPOINT_NOT_FOUND = SkyError(8, "Endpoint not found. Log into your phone.")
#: Error 13: wrong number or type of ``args``.
BAD_ARGUMENTS = SkyError(13, "The command expected arguments of different type or amount")
#: Error 17: pushed on a subscribed stream when the subscription was dropped.
FORCED_UNSUBSCRIPTION = SkyError(
    17,
    "A temporary problem forced the unsubscription from updates. Try subscribing again. "
    "Notify system@m5net.com if this condition persists",
)

#: The fixed head of every error 19 message.
UNMARSHALL_FAILED = "Failed to unmarshall XML"


def unmarshall_failed(explanation: str) -> SkyError:
    """Error 19 for an XML request that could not be read.

    The guide says the Message "will attempt to explain why", so the fixed
    text is followed by ``": "`` and the explanation.
    """
    return SkyError(19, f"{UNMARSHALL_FAILED}: {explanation}")
