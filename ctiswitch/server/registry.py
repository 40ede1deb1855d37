"""Who contributes to the server, in mount order.

A face joins the server with one line here: its ``contribute(board)``
(see ctiswitch.server.contribution).
"""
from __future__ import annotations

from ctiswitch.faces.mtcti3 import server as mtcti3_server
from ctiswitch.faces.o2g import server as o2g_server
from ctiswitch.faces.sky import server as sky_server
from ctiswitch.faces.turret import server as turret_server

from . import simapi
from .contribution import Contributor

CONTRIBUTORS: tuple[Contributor, ...] = (
    simapi.contribute,
    o2g_server.contribute,
    mtcti3_server.contribute,
    sky_server.contribute,
    turret_server.contribute,
)
