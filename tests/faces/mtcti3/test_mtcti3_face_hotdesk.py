"""Hot-desking (spec/mtcti3.md §2.5 UpdateUserLoginExtn, §4.3 LOGIN and
loggedinextn) on the engine's desk sharing, over real TLS websockets: the
demo's free desk-sharing sets 1901 and 1902."""
from __future__ import annotations

from typing import Any

from mtcti3_face_support import Client, Sim, open_client, run
from server_process import RunningServer

from ctiswitch.faces.mtcti3.constants import UserFeature

NOTFOUND, NOTALLOWED, INVALIDCALLSTATE = 4, 9, 609


async def login_extn(client: Client, sid: int, requestid: int, extn: str, **more: Any) -> int:
    await client.send(subscribecmd={"requestid": requestid, "subscribe_id": sid,
                                    "user": {"loginextn": {"extn": extn}, **more}})
    return await client.response(requestid)


def may_hot_desk(user: Any) -> bool:
    return bool(user.featuresavailable & UserFeature.LOGIN)


def test_mtcti3_face_hot_desk_log_on_move_and_back_home(switch_server: RunningServer) -> None:
    sim = Sim(switch_server)

    async def scenario() -> None:
        ws, client = await open_client(switch_server)
        async with ws:
            user = await client.subscribe_user(1, "1003", ccflags=0, flags=0)
            assert user.loggedinextn == "1003" and not user.loggedoff and may_hot_desk(user)

            assert await login_extn(client, 1, 2, "1901") == 0
            user = await client.notify(1, "user")
            assert user.loggedinextn == "1901" and may_hot_desk(user)
            # The set now rings for the user's calls, next to the home phone.
            sim.act("1001", "dial", digits="1003")
            ringing = {c["dn"] for call in sim.calls() for p in call["parties"] if p["kind"] == "user"
                       for c in p["connections"] if c["state"] == "alerting"}
            assert ringing == {"1003", "1901"}
            sim.act("1901", "answer")
            # Busy on the set: no log-off, no move.
            assert await login_extn(client, 1, 3, "") == INVALIDCALLSTATE
            assert await login_extn(client, 1, 4, "1902") == INVALIDCALLSTATE
            sim.hangup_all()

            assert await login_extn(client, 1, 5, "1901") == 0  # already there: no change
            assert await login_extn(client, 1, 6, "1902") == 0  # a move logs off the old set
            assert (await client.notify(1, "user")).loggedinextn == "1902"
            assert await login_extn(client, 1, 7, "1003") == 0  # the own extension: back home
            user = await client.notify(1, "user")
            assert user.loggedinextn == "1003" and may_hot_desk(user)
            assert await login_extn(client, 1, 8, "") == 0  # home already: nothing to notify
            assert await client.silent()

    run(scenario)


def test_mtcti3_face_hot_desk_refusals_and_the_login_bit(switch_server: RunningServer) -> None:
    async def scenario() -> None:
        ws1, first = await open_client(switch_server)
        ws2, second = await open_client(switch_server)
        ws3, third = await open_client(switch_server)
        async with ws1, ws2, ws3:
            await first.subscribe_user(1, "1003", ccflags=0, flags=0)
            await second.subscribe_user(1, "1004", ccflags=0, flags=0)
            assert may_hot_desk(await third.subscribe_user(1, "1005", ccflags=0, flags=0))

            assert await login_extn(first, 1, 2, "1901") == 0
            await first.notify(1, "user")
            assert await login_extn(second, 1, 3, "1901") == NOTALLOWED  # another user's set
            assert await login_extn(second, 1, 4, "1001") == NOTALLOWED  # someone's own phone
            assert await login_extn(second, 1, 5, "1999") == NOTFOUND
            teleworker = {"extn": "1902", "teleworkerconnection": {"number": "0612345678"}}
            await second.send(subscribecmd={"requestid": 6, "subscribe_id": 1, "user": {"loginextn": teleworker}})
            assert await second.response(6) == NOTALLOWED
            # A refused log-on leaves the rest of the request undone too.
            assert await login_extn(second, 1, 7, "1901", sac={"set": 1}) == NOTALLOWED
            assert await second.silent()

            assert await login_extn(second, 1, 8, "1902") == 0
            assert (await second.notify(1, "user")).loggedinextn == "1902"
            # Both sets taken: a user on neither may not hot-desk; a user on
            # one still may (log off), so nothing changes for 1003.
            assert not may_hot_desk(await third.notify(1, "user"))
            assert await first.silent()

            assert await login_extn(first, 1, 9, "") == 0
            user = await first.notify(1, "user")
            assert user.loggedinextn == "1003" and may_hot_desk(user)
            assert may_hot_desk(await third.notify(1, "user"))
            assert await login_extn(second, 1, 10, "") == 0
            assert (await second.notify(1, "user")).loggedinextn == "1004"

    run(scenario)
