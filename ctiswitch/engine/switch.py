"""The switch: every command, assembled from one module per concept.

    SwitchCore  state, transactions, release rules      (core.py)
    Routing     dial plan, coverage, no-answer          (routing.py)
    Groups      hunt groups and queues                  (groups.py)
    CallControl make, answer, clear, hold, consult      (calling.py)
    Joining     transfer, conference, add/drop party    (joining.py)
    Diverting   deflect, pickup, park, unpark           (diverting.py)
    Settings    routing, data, recording, messages      (settings.py)
    DeskSharing log users on/off desk-sharing sets      (desksharing.py)
"""
from __future__ import annotations

from .desksharing import DeskSharing


class Switch(DeskSharing):
    """The PBX. Build one with `build_switch(company, clock)`."""
