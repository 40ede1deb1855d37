"""Who contributes to the server, in mount order.

A face joins the server with one line here: its ``contribute(board)``
(see ctiswitch.server.contribution).
"""
from __future__ import annotations

from . import simapi
from .contribution import Contributor

CONTRIBUTORS: tuple[Contributor, ...] = (
    simapi.contribute,
)
