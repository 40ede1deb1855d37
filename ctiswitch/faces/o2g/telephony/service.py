"""Plugs the telephony service into the O2G face: its routes, and the
notifier that turns engine batches into telephony events."""
from __future__ import annotations

import logging
from typing import Any

from ctiswitch.engine.events import Batch

from ..api import O2GApi
from .calls import CallMethods
from .events import TelephonyNotifier
from .features import PACKAGE, FeatureMethods

log = logging.getLogger("ctiswitch.o2g.telephony")


def install(api: O2GApi) -> None:
    def publish(event: dict[str, Any], login: str) -> None:
        api.publish(event, login=login, package=PACKAGE)

    notifier = TelephonyNotifier(api.board.switch, publish)

    def on_batch(batch: Batch) -> None:
        try:
            notifier.on_batch(batch)
        except Exception:  # a listener must never break the engine's transaction
            log.exception("telephony events failed for batch %d", batch.seq)

    unsubscribe = api.board.switch.subscribe(on_batch)

    async def stop() -> None:
        unsubscribe()

    api.on_stop.append(stop)
    routes = CallMethods(api).routes() + FeatureMethods(api, notifier).routes()
    api.add_service("Telephony", routes, relative_url="/telephony/calls")
