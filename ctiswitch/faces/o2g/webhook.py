"""Webhook delivery: each event POSTed on its own to the subscription's URL.

ALE's Node SDK subscribes with ``webHookUrl`` instead of ``timeout`` and
hands each received body to its dispatcher, so each POST carries one event
object exactly as a channel line would (o2g-wire.md §2). One sender task per
subscription drains its queue in order; a POST that fails (network error or
non-2xx) is retried MAX_ATTEMPTS times in all, RETRY_DELAY seconds apart,
then the event is dropped and counted in ``Subscription.webhook_failures``.
The queue bound and overflow rule are the hub's.
"""
from __future__ import annotations

import asyncio

import httpx

from .hub import Hub, Subscription

MAX_ATTEMPTS = 3
RETRY_DELAY = 0.5
#: Seconds one POST may take before it counts as failed.
POST_TIMEOUT = 5.0


class WebhookSender:
    """The sender tasks and the one HTTP client they share."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.client = httpx.AsyncClient(timeout=POST_TIMEOUT)
        self.tasks: dict[str, asyncio.Task[None]] = {}
        hub.on_terminate.append(self._stop)

    def start(self, subscription: Subscription) -> None:
        self.tasks[subscription.id] = asyncio.get_running_loop().create_task(self._run(subscription))

    def _stop(self, subscription: Subscription) -> None:
        task = self.tasks.pop(subscription.id, None)
        if task is not None:
            task.cancel()

    async def _run(self, subscription: Subscription) -> None:
        assert subscription.webhook_url is not None
        while not subscription.closed:
            if not subscription.queue:
                subscription.wakeup.clear()
                await subscription.wakeup.wait()
                continue
            body = subscription.queue.popleft()
            if await self._post(subscription.webhook_url, body):
                subscription.delivered += 1
            else:
                subscription.webhook_failures += 1

    async def _post(self, url: str, body: bytes) -> bool:
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                await asyncio.sleep(RETRY_DELAY)
            try:
                response = await self.client.post(url, content=body.rstrip(b"\n"),
                                                  headers={"content-type": "application/json"})
            except httpx.HTTPError:
                continue
            if response.is_success:
                return True
        return False

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()
        await self.client.aclose()
