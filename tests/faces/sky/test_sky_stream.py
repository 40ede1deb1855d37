"""The stream-mode reader: framing, arbitrary chunking, recovery, bounded memory."""
from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import pairwise
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctiswitch.faces.sky.wire import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    ParseFailure,
    Request,
    RequestStream,
)

P = "org.m5.apps.v1.cti.ClickToDial"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
ARG = (
    'xsi:type="ns3:string" xmlns:ns3="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def gem_document(request: Request, *, declaration: bool = True) -> bytes:
    """A request as the ehainer/shoretel gem writes it (plus an Id when one is set)."""
    parts = [DECL if declaration else "", "<Command>"]
    if request.id is not None:
        parts.append(f"<Id>{request.id}</Id>")
    parts += [
        f"<Name>{escape(request.name)}</Name>",
        f"<User>{escape(request.user)}</User>",
        f"<Password>{escape(request.password)}</Password>",
    ]
    parts += [
        f"<Arguments {ARG}>{escape(arg)}</Arguments>" if arg else f"<Arguments {ARG}/>"
        for arg in request.args
    ]
    parts.append("</Command>")
    return "".join(parts).encode()


DIAL = Request("1", f"{P}.dial", "6465551000", "12345", ["6465551234", ""])
LIST = Request("2", f"{P}.listCalls", "6465551000", "12345", [""])
SUBSCRIBE = Request(None, f"{P}.subscribe", "6465551000", "12345", [])

#: Documents in several styles, with what each must decode to.
STYLES: list[tuple[bytes, Request]] = [
    (gem_document(DIAL), DIAL),
    (gem_document(LIST, declaration=False), LIST),
    (gem_document(SUBSCRIBE), SUBSCRIBE),
    (
        b"<!-- prolog --><?pi x?>\n<org.m5.api.v1.Request a='>' b=\"/>\"><id>3</id>"
        b"<name>" + P.encode() + b".hold</name><user>6465551000</user><password>1</password>"
        b"<args><![CDATA[</args><x>]]></args><!-- </org.m5.api.v1.Request> -->"
        b"</org.m5.api.v1.Request>",
        Request("3", f"{P}.hold", "6465551000", "1", ["</args><x>"]),
    ),
    (b"<Command/>", Request(None, "", "", "", [])),
    (b"\xef\xbb\xbf" + gem_document(DIAL), DIAL),
]
STREAM = b"\r\n".join(document for document, _ in STYLES)
EXPECTED = [request for _, request in STYLES]


def feed_all(stream: RequestStream, pieces: Iterable[bytes]) -> list[Request | ParseFailure]:
    out: list[Request | ParseFailure] = []
    for piece in pieces:
        out += stream.feed(piece)
    return out


def split(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in pairwise(points)]


def test_one_chunk_holds_every_document() -> None:
    stream = RequestStream()
    assert stream.feed(STREAM) == EXPECTED
    assert stream.close() == []


def test_byte_by_byte() -> None:
    stream = RequestStream()
    assert feed_all(stream, (STREAM[i : i + 1] for i in range(len(STREAM)))) == EXPECTED
    assert stream.close() == []
    assert stream.buffered_bytes == 0


def test_each_request_comes_out_as_soon_as_its_root_closes() -> None:
    stream = RequestStream()
    document = gem_document(DIAL)
    assert stream.feed(document[:-1]) == []
    assert stream.feed(document[-1:]) == [DIAL]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0), max_size=40))
def test_random_splits(cuts: list[int]) -> None:
    stream = RequestStream()
    assert feed_all(stream, split(STREAM, cuts)) == EXPECTED
    assert stream.close() == []


#: Text XML 1.0 can carry (no controls, surrogates or non-characters).
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=20)
requests = st.builds(
    Request,
    id=st.one_of(st.none(), st.integers(0, 2**63 - 1).map(str)),
    name=texts.map(str.strip),
    user=texts.map(str.strip),
    password=texts.map(str.strip),
    args=st.lists(texts.map(str.strip), max_size=3),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(requests, st.booleans(), st.sampled_from(["", "\n", " \t"])), max_size=6),
    st.lists(st.integers(min_value=0), max_size=30),
)
def test_generated_requests_survive_any_chunking(
    batch: list[tuple[Request, bool, str]], cuts: list[int]
) -> None:
    data = b"".join(gem_document(r, declaration=d) + gap.encode() for r, d, gap in batch)
    stream = RequestStream()
    assert feed_all(stream, split(data, cuts)) == [r for r, _, _ in batch]
    assert stream.close() == []


# --- recovery ---------------------------------------------------------------

GOOD = gem_document(DIAL)


#: Short names for the stream's own explanations; expat's are named "parse".
TAGS = {
    "unexpected content": "junk",
    "cut short": "cut",
    "stream ended": "end",
    "larger than": "size",
}


def tag(item: Request | ParseFailure) -> object:
    if isinstance(item, Request):
        return item
    return next((t for key, t in TAGS.items() if key in item.explanation), "parse")


def items(data: bytes, limit: int = DEFAULT_MAX_DOCUMENT_BYTES) -> list[object]:
    stream = RequestStream(limit)
    return [tag(item) for item in stream.feed(data) + stream.close()]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # A parse error inside a well-framed document costs that document only.
        (b"<Command><Name>x</Nme></Command>" + GOOD, ["parse", DIAL]),
        (b"<Command><Id>x</Id></Command>" + GOOD, ["parse", DIAL]),
        (b"<!DOCTYPE a [<!ENTITY e '>'>]><a/>" + GOOD, ["parse", DIAL]),
        # Junk between documents: one failure per run, however long.
        (b"hello" + GOOD + b"</x>world</y>more" + GOOD, ["junk", DIAL, "junk", DIAL]),
        (b"<<< >>>" + GOOD, ["junk", DIAL]),
        # Cut short by the next declaration, whatever was left open.
        (b"<Command><Name>x</Name>" + GOOD, ["cut", DIAL]),
        (b'<Command a="' + GOOD, ["cut", DIAL]),
        (b"<Command><!-- " + GOOD, ["cut", DIAL]),
        (b"<Command><![CDATA[" + GOOD, ["cut", DIAL]),
        (b"<?pi " + GOOD, ["cut", DIAL]),
        (b"<!DOCTYPE [ " + GOOD, ["cut", DIAL]),
        (GOOD[:-5] + GOOD + GOOD, ["cut", DIAL, DIAL]),
        # The end of the body inside a document.
        (GOOD + GOOD[:30], [DIAL, "end"]),
        (GOOD + b"<", [DIAL, "end"]),
        (GOOD + b"  \r\n", [DIAL]),
        (b"junk", ["junk"]),
    ],
)
def test_recovery(data: bytes, expected: list[object]) -> None:
    assert items(data) == expected
    stream = RequestStream()
    got = feed_all(stream, (data[i : i + 1] for i in range(len(data)))) + stream.close()
    assert [tag(item) for item in got] == expected


def test_oversized_document_is_skipped_and_reading_resumes() -> None:
    big = b"<Command><Name>" + b"x" * 5000 + b"</Name></Command>"
    small = gem_document(SUBSCRIBE, declaration=False)
    for data in (big + small, GOOD + big + GOOD):
        stream = RequestStream(1024)
        out = feed_all(stream, split(data, range(0, len(data), 100)))
        assert [type(item) for item in out][-1] is Request
        assert sum(isinstance(item, ParseFailure) for item in out) == 1
        assert "larger than 1024 bytes" in next(
            item.explanation for item in out if isinstance(item, ParseFailure)
        )
    assert items(big, 1024) == ["size"]


def test_a_complete_but_oversized_document_in_one_chunk() -> None:
    document = b"<Command><Name>" + b"x" * 600 + b"</Name></Command>"
    assert items(document + GOOD, 512) == ["size", DIAL]


def test_feed_after_close_is_a_programming_error() -> None:
    stream = RequestStream()
    stream.close()
    with pytest.raises(ValueError):
        stream.feed(GOOD)
    assert stream.close() == []


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RequestStream(0)


# --- fuzzing and memory -----------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=20))
def test_random_bytes_never_raise(chunks: list[bytes]) -> None:
    stream = RequestStream(256)
    out = feed_all(stream, chunks) + stream.close()
    assert all(isinstance(item, (Request, ParseFailure)) for item in out)
    assert all(item.error.code == 19 for item in out if isinstance(item, ParseFailure))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200).map(lambda b: b.replace(b">", b"")), max_size=20))
def test_bytes_that_close_no_element_give_only_failures(chunks: list[bytes]) -> None:
    stream = RequestStream(256)
    out = feed_all(stream, chunks) + stream.close()
    assert all(isinstance(item, ParseFailure) for item in out)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=20))
def test_recovery_at_the_next_declaration(garbage: bytes, cuts: list[int]) -> None:
    garbage = garbage.replace(b"<?xml", b"")
    data = GOOD + garbage + GOOD
    stream = RequestStream()
    out = feed_all(stream, split(data, cuts)) + stream.close()
    assert out[0] == DIAL
    assert out[-1] == DIAL


@settings(max_examples=200, deadline=None)
@given(st.randoms(use_true_random=False))
def test_mutated_streams_never_raise(rng: random.Random) -> None:
    data = bytearray(STREAM)
    for _ in range(rng.randint(1, 10)):
        data[rng.randrange(len(data))] = rng.choice(b"<>/?!-[]\"' x\x00\xff")
    stream = RequestStream()
    out = feed_all(stream, split(bytes(data), [rng.randrange(len(data)) for _ in range(10)]))
    assert all(isinstance(item, (Request, ParseFailure)) for item in out + stream.close())


#: Fragments that exercise every scanner state when strung together at random.
TOKENS = [
    DECL.encode(), b"<Command>", b"</Command>", b"<Name>", b"</Name>", b"x", b" ", b"\n",
    b"<!--", b"-->", b"<![CDATA[", b"]]>", b'"', b"'", b"<", b">", b"/>", b"<a/>", b"<?pi",
    b"?>", b"<!DOCTYPE", b"[", b"]", b"\xef\xbb\xbf", b"&amp;", b"&x;", b"<Id>1</Id>",
    b"<?xml", b"\x00", b"\xff",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(TOKENS), max_size=60),
    st.lists(st.integers(min_value=0), max_size=20),
    st.sampled_from([16, 64, 300, DEFAULT_MAX_DOCUMENT_BYTES]),
)
def test_results_do_not_depend_on_chunking(
    tokens: list[bytes], cuts: list[int], limit: int
) -> None:
    data = b"".join(tokens)

    def run(pieces: Iterable[bytes]) -> list[Request | ParseFailure]:
        stream = RequestStream(limit)
        out: list[Request | ParseFailure] = []
        for piece in pieces:
            out += stream.feed(piece)
            assert stream.buffered_bytes <= limit + 16
        return out + stream.close()

    whole = run([data])
    assert run(split(data, cuts)) == whole
    assert run(data[i : i + 1] for i in range(len(data))) == whole


HOSTILE = {
    "unclosed root": b"<Command>" + b"x" * 999,
    "deep nesting": b"<a>" * 333,
    "unclosed comment": b"<Command><!--" + b"-" * 999,
    "unclosed attribute": b'<Command a="' + b">" * 999,
    "unclosed pi": b"<?pi " + b"?" * 999,
    "unclosed doctype": b"<!DOCTYPE [" + b"[" * 999,
    "unclosed cdata": b"<a><![CDATA[" + b"]" * 999,
    "junk": b"x" * 1000,
    "random": bytes(random.Random(7).randrange(256) for _ in range(1000)),
}


@pytest.mark.parametrize("pattern", HOSTILE.values(), ids=HOSTILE.keys())
def test_memory_stays_bounded(pattern: bytes) -> None:
    limit = 4096
    stream = RequestStream(limit)
    failures = 0
    for chunk in (pattern[:1], pattern[:7], pattern, pattern * 100):
        for _ in range(300_000 // max(len(chunk), 1000)):
            out = stream.feed(chunk)
            failures += len(out)
            assert stream.buffered_bytes <= limit + 16
    assert failures < 1000


def test_one_huge_feed_is_taken_in_slices() -> None:
    stream = RequestStream(1024)
    out = stream.feed(b"<Command>" + b"x" * 10_000_000)
    assert len(out) == 1
    assert stream.buffered_bytes <= 1024 + 16
    assert stream.feed(b"</Command>" + GOOD) == [DIAL]
