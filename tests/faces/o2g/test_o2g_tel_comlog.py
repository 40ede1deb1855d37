"""The communication log and event summary over HTTPS (o2g.md §2.7, §2.8),
plus the telephony features kept in the store: callbacks and mini messages.
Records come from the engine through the store, so they survive a restart."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from o2g_client import O2GClient
from o2g_tel_support import advance, hang_up_everything, listening, ok, phone, refused
from server_process import RunningServer, start_server

COMLOG = [{"ids": [], "names": ["unifiedComLog"]}, {"ids": [], "names": ["eventSummary"]}]


@pytest.fixture(autouse=True)
def clean(switch_server: RunningServer) -> Iterator[None]:
    yield
    hang_up_everything(switch_server)


def missed_call(server: RunningServer, caller: str, callee: str) -> None:
    phone(server, caller, "dial", callee)
    phone(server, caller, "hangup")


def test_missed_call_creates_records_and_counts(switch_server: RunningServer) -> None:
    with listening(switch_server, "1004", selectors=COMLOG) as (david, events):
        ok(david.delete("/comlog/records"))
        missed_call(switch_server, "1003", "1004")
        record = events.wait_for("OnComRecordCreated")["record"]
        owner = record["participants"][0]
        assert owner == {"role": "CALLEE", "answered": False, "identity": {"id": {"loginName": "1004"}},
                         "anonymous": False, "reason": "ABANDONED"}
        assert record["participants"][1]["identity"]["id"] == {"loginName": "1003", "phoneNumber": "1003"}
        assert record["acknowledged"] is False and record["medias"] == ["AUDIO"]
        summary = events.wait_for("OnEventSummaryUpdated")["eventSummary"]
        assert summary["missedCallsNb"] == 1
        assert ok(david.get("/eventSummary"), 200)["missedCallsNb"] == 1
        ok(david.put("/comlog/records?acknowledge=true", json={"recordIds": [str(record["recordId"])]}))
        assert events.wait_for("OnComRecordsAck")["recordIds"] == [record["recordId"]]
        assert events.wait_for("OnComRecordModified")["record"] == {
            "recordId": record["recordId"], "comRef": record["comRef"], "acknowledged": True}
        assert events.wait_for("OnEventSummaryUpdated")["eventSummary"]["missedCallsNb"] == 0
        ok(david.put("/comlog/records?acknowledge=false", json={"recordIds": [record["recordId"]]}))
        assert events.wait_for("OnComRecordsUnAck")["recordIds"] == [record["recordId"]]
        refused(david.put("/comlog/records?acknowledge=maybe", json={"recordIds": []}), 400, "BAD_PARAMETER")


def test_query_filters_paging_and_deletion(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1008", "1234") as henry:
        ok(henry.delete("/comlog/records"))
        missed_call(switch_server, "1003", "1008")
        phone(switch_server, "1008", "dial", "1002")
        phone(switch_server, "1002", "answer")
        phone(switch_server, "1008", "hangup")
        everything = ok(henry.get("/comlog/records"), 200)
        assert everything["totalCount"] == everything["count"] == 2
        outgoing, incoming = everything["comHistoryRecords"]
        assert everything["records"] == everything["comHistoryRecords"]
        assert (outgoing["participants"][0]["role"], outgoing["participants"][0]["answered"]) == ("CALLER", True)
        assert ok(henry.get("/comlog/records?unanswered=true"), 200)["comHistoryRecords"] == [incoming]
        assert ok(henry.get("/comlog/records?role=CALLER"), 200)["comHistoryRecords"] == [outgoing]
        assert ok(henry.get("/comlog/records?remotePartyId=1003"), 200)["comHistoryRecords"] == [incoming]
        assert ok(henry.get(f"/comlog/records?comRef={outgoing['comRef']}"), 200)["comHistoryRecords"] == [outgoing]
        page = ok(henry.get("/comlog/records?offset=1&limit=1"), 200)
        assert (page["comHistoryRecords"], page["totalCount"]) == ([incoming], 2)
        assert ok(henry.get("/comlog/records?afterDate=2999-01-01T00:00:00Z"), 200)["comHistoryRecords"] == []
        assert ok(henry.get("/comlog/records/recordIds"), 200) == {"recordIds": [outgoing["recordId"],
                                                                                incoming["recordId"]]}
        assert ok(henry.get(f"/comlog/records/{incoming['recordId']}"), 200) == incoming
        refused(henry.get("/comlog/records?role=BOSS"), 400, "BAD_PARAMETER")
        refused(henry.get("/comlog/records?afterDate=yesterday"), 400, "BAD_PARAMETER")
        ok(henry.delete(f"/comlog/records/{incoming['recordId']}"))
        refused(henry.get(f"/comlog/records/{incoming['recordId']}"), 404, "NOT_FOUND")
        ok(henry.delete(f"/comlog/records?recordIdList={outgoing['recordId']}"))
        assert ok(henry.get("/comlog/records"), 200)["comHistoryRecords"] == []


def test_a_user_sees_only_its_own_records(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1007", "1234") as gabrielle, O2GClient(switch_server, "1003", "1234") as chloe:
        missed_call(switch_server, "1003", "1007")
        theirs = ok(chloe.get("/comlog/records?limit=1"), 200)["comHistoryRecords"][0]["recordId"]
        refused(gabrielle.get(f"/comlog/records/{theirs}"), 404, "NOT_FOUND")


def test_callbacks_and_mini_messages(switch_server: RunningServer) -> None:
    summary_events = [{"ids": [], "names": ["eventSummary"]}]
    with O2GClient(switch_server, "1005", "1234") as emma, \
            listening(switch_server, "1006", selectors=summary_events) as (francois, events):
        ok(francois.delete("/telephony/incomingCallbacks"))
        ok(emma.post("/telephony/outgoingCallbacks", json={"callee": "1006"}))
        assert events.wait_for("OnEventSummaryUpdated")["eventSummary"]["callBackRequestsNb"] == 1
        callbacks = ok(francois.get("/telephony/incomingCallbacks"), 200)["callbacks"]
        assert [c["partyInfo"]["id"]["loginName"] for c in callbacks] == ["1005"]
        refused(francois.delete("/telephony/incomingCallbacks/999999"), 400, "BAD_PARAMETER")
        ok(francois.delete(f"/telephony/incomingCallbacks/{callbacks[0]['callbackId']}"))
        assert events.wait_for("OnEventSummaryUpdated")["eventSummary"]["callBackRequestsNb"] == 0
        refused(emma.post("/telephony/outgoingCallbacks", json={"callee": "0612345678"}), 400, "BAD_PARAMETER")
        refused(francois.get("/telephony/miniMessages"), 400, "NOT_EXPECTED")
        ok(emma.post("/telephony/miniMessages", json={"recipient": "1006", "message": "call me"}))
        assert events.wait_for("OnEventSummaryUpdated")["eventSummary"]["newTextNb"] == 1
        message = ok(francois.get("/telephony/miniMessages"), 200)
        assert (message["sender"], message["message"]) == ("1005", "call me")
        assert message["date"] == message["dateTime"] and message["date"].endswith("Z")
        refused(francois.get("/telephony/miniMessages"), 400, "NOT_EXPECTED")
        refused(emma.post("/telephony/miniMessages", json={"recipient": "99", "message": "hi"}), 400,
                "BAD_PARAMETER")


def test_voicemail_counts_after_no_answer(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1006", "1234") as francois:
        before = ok(francois.get("/eventSummary"), 200)["voiceMessagesNb"]
        phone(switch_server, "1001", "dial", "1006")
        advance(switch_server, 15)
        phone(switch_server, "1001", "hangup")
        summary = ok(francois.get("/eventSummary"), 200)
        assert summary["voiceMessagesNb"] == before + 1 and summary["eventWaiting"] is True
        assert "faxNb" not in summary


def test_devices_and_hunting_groups(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        assert ok(alice.get("/telephony/devices"), 200) == {"deviceStates": [
            {"deviceId": "1001", "state": "IN_SERVICE"}, {"deviceId": "2001", "state": "IN_SERVICE"}]}
        assert ok(alice.get("/telephony/devices/2001"), 200) == {"deviceId": "2001", "state": "IN_SERVICE"}
        refused(alice.get("/telephony/devices/1002"), 404, "NOT_FOUND")
        assert ok(alice.get("/telephony/huntingGroups"), 200) == {"hgList": ["3000"]}
        refused(alice.post("/telephony/huntingGroupLogOn"), 400, "NOT_EXPECTED")
        refused(alice.post("/telephony/huntingGroupMember/3100"), 404, "NOT_FOUND")
        ok(alice.post("/telephony/huntingGroupMember/3000"))
        ok(alice.post("/telephony/huntingGroupMember/3000"))
        assert ok(alice.get("/telephony/huntingGroups"), 200) == {"hgList": ["3000"], "currentHg": "3000"}
        assert ok(alice.get("/telephony/huntingGroupLogOn"), 200) == {"logon": True}
        ok(alice.delete("/telephony/huntingGroupLogOn"))
        assert ok(alice.get("/telephony/huntingGroupLogOn"), 200) == {"logon": False}
        ok(alice.delete("/telephony/huntingGroupMember/3000"))
        ok(alice.delete("/telephony/huntingGroupMember/3000"))
        refused(alice.delete("/telephony/huntingGroupMember/4242"), 404, "NOT_FOUND")
        assert ok(alice.get("/telephony/huntingGroupLogOn"), 200) == {"logon": False}


def test_records_survive_a_restart(tmp_path: Path) -> None:
    with start_server(tmp_path, "--virtual-clock") as server:
        missed_call(server, "1002", "1003")
        with O2GClient(server, "1003", "1234") as chloe:
            first = ok(chloe.get("/comlog/records"), 200)["comHistoryRecords"]
    with start_server(tmp_path, "--virtual-clock") as server, O2GClient(server, "1003", "1234") as chloe:
        assert ok(chloe.get("/comlog/records"), 200)["comHistoryRecords"] == first
        assert ok(chloe.get("/eventSummary"), 200)["missedCallsNb"] == 1


def test_calling_back_settles_a_missed_call(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1002", "1234") as bruno:
        ok(bruno.delete("/comlog/records"))
        missed_call(switch_server, "1004", "1002")
        missed_call(switch_server, "1004", "1002")
        missed_call(switch_server, "1003", "1002")
        assert ok(bruno.get("/eventSummary"), 200)["missedCallsNb"] == 3
        phone(switch_server, "1002", "dial", "1004")
        phone(switch_server, "1004", "answer")
        phone(switch_server, "1002", "hangup")
        assert ok(bruno.get("/eventSummary"), 200)["missedCallsNb"] == 1
        assert len(ok(bruno.get("/comlog/records?unanswered=true"), 200)["comHistoryRecords"]) == 3
