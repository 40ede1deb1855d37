"""Request decoding: the guide's GET examples and the XML forms clients send."""
from __future__ import annotations

import pytest

from ctiswitch.faces.sky.wire import ParseFailure, Request, parse_query, parse_request_xml

P = "org.m5.apps.v1.cti.ClickToDial"

# ---------------------------------------------------------------------------
# GET: the guide's worked example and each command's URL, with its
# placeholders <DID>, <PIN>, <EX_TN>, <Endpoint>, <Call ID> filled in.
# ---------------------------------------------------------------------------

GET_EXAMPLES = [
    (
        f"name={P}.dial&user=6465551000&password=12345&args=6465551234&args=",
        Request(None, f"{P}.dial", "6465551000", "12345", ["6465551234", ""]),
    ),
    (
        f"name={P}.answer&user=6465551000&password=12345&args=65885&args=0010492e1234",
        Request(None, f"{P}.answer", "6465551000", "12345", ["65885", "0010492e1234"]),
    ),
    (
        f"name={P}.ignore&user=6465551000&password=12345&args=",
        Request(None, f"{P}.ignore", "6465551000", "12345", [""]),
    ),
    (
        f"name={P}.release&user=6465551000&password=12345&args=65885",
        Request(None, f"{P}.release", "6465551000", "12345", ["65885"]),
    ),
    (
        f"name={P}.hold&user=6465551000&password=12345&args=",
        Request(None, f"{P}.hold", "6465551000", "12345", [""]),
    ),
    (
        f"name={P}.resume&user=6465551000&password=12345&args=65885",
        Request(None, f"{P}.resume", "6465551000", "12345", ["65885"]),
    ),
    (
        f"name={P}.listCalls&user=6465551000&password=12345&args=",
        Request(None, f"{P}.listCalls", "6465551000", "12345", [""]),
    ),
    # willr/M5-Dialup sends the non-dial commands with no args at all.
    (
        f"name={P}.answer&user=6465551000&password=12345",
        Request(None, f"{P}.answer", "6465551000", "12345", []),
    ),
]


@pytest.mark.parametrize(("query", "expected"), GET_EXAMPLES)
def test_get_examples(query: str, expected: Request) -> None:
    assert parse_query(query) == expected


def test_get_decoding_follows_servlets() -> None:
    request = parse_query(
        f"args=%28646%29+555-1234&name={P}.dial&name=ignored&user=646%35551000&password=1+2&x=y&args="
    )
    assert request == Request(None, f"{P}.dial", "6465551000", "1 2", ["(646) 555-1234", ""])


def test_get_missing_parameters_are_blank() -> None:
    assert parse_query("") == Request(None, "", "", "", [])


# ---------------------------------------------------------------------------
# XML: the ehainer/shoretel form (Nokogiri output), compact and indented.
# ---------------------------------------------------------------------------

ARG = (
    'xsi:type="ns3:string" xmlns:ns3="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
GEM_DIAL = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    "<Command>\n"
    f"  <Name>{P}.dial</Name>\n"
    "  <User>1234567890</User>\n"
    "  <Password>12345</Password>\n"
    f"  <Arguments {ARG}>1234567890</Arguments>\n"
    f"  <Arguments {ARG}/>\n"
    "</Command>\n"
).encode()
GEM_SUBSCRIBE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f"<Command><Name>{P}.subscribe</Name><User>1234567890</User><Password>12345</Password></Command>"
).encode()


def test_gem_dial() -> None:
    assert parse_request_xml(GEM_DIAL) == Request(
        None, f"{P}.dial", "1234567890", "12345", ["1234567890", ""]
    )


def test_gem_subscribe_has_no_arguments() -> None:
    assert parse_request_xml(GEM_SUBSCRIBE) == Request(
        None, f"{P}.subscribe", "1234567890", "12345", []
    )


def test_lowercase_form_with_id() -> None:
    document = (
        f"<org.m5.api.v1.Request><id>17</id><name>{P}.hold</name><user>6465551000</user>"
        "<password>12345</password><args>65885</args></org.m5.api.v1.Request>"
    ).encode()
    expected = Request("17", f"{P}.hold", "6465551000", "12345", ["65885"])
    assert parse_request_xml(document) == expected


@pytest.mark.parametrize("tag", ["Arguments", "Argument", "args", "arg", "ARGS"])
def test_argument_spellings(tag: str) -> None:
    document = f"<Command><Name>n</Name><{tag}>a</{tag}><{tag}/></Command>".encode()
    assert parse_request_xml(document) == Request(None, "n", "", "", ["a", ""])


def test_prefixes_unknown_elements_and_whitespace() -> None:
    document = (
        '<m5:Command xmlns:m5="urn:x"><m5:Id> 5 </m5:Id><Extra><Name>no</Name></Extra>'
        f"<Name>\n  {P}.dial\n</Name><Arguments xsi:type='string'> 6465551234 </Arguments>"
        "<Arguments><![CDATA[]]></Arguments><!-- note --></m5:Command>"
    ).encode()
    assert parse_request_xml(document) == Request("5", f"{P}.dial", "", "", ["6465551234", ""])


def test_declared_encoding_and_entities() -> None:
    document = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        "<Command><User>\xe9</User><Password>a&amp;b&#49;</Password></Command>"
    ).encode("latin-1")
    assert parse_request_xml(document) == Request(None, "", "\xe9", "a&b1", [])


def test_byte_order_mark() -> None:
    assert isinstance(parse_request_xml(b"\xef\xbb\xbf" + GEM_SUBSCRIBE), Request)


def test_blank_id_is_no_id() -> None:
    assert parse_request_xml(b"<Command><Id></Id></Command>") == Request(None, "", "", "", [])


@pytest.mark.parametrize(
    ("document", "explanation"),
    [
        (b"", "no element found"),
        (b"<Command>", "no element found"),
        (b"<Command><Name>x</Nam></Command>", "mismatched tag"),
        (b"<Command><Name>a</Name><Name>b</Name></Command>", "appears more than once"),
        (b"<Command><Id>1</Id><id>2</id></Command>", "appears more than once"),
        (b"<Command><User><b>x</b></User></Command>", "not allowed inside"),
        (b"<Command><Id>seven</Id></Command>", "not a number"),
        (b"<Command><Id>99999999999999999999</Id></Command>", "not a number"),
        (b"<Command>&undefined;</Command>", "undefined entity"),
        (b"<Command>\x01</Command>", "not well-formed"),
        (b"<Command></Command><Command/>", "junk after document element"),
        (b'<?xml version="1.0" encoding="no-such"?><Command/>', "unsupported encoding"),
        (b'<?xml version="1.0" encoding="big5"?><Command/>', "unsupported encoding"),
        (b'<?xml version="1.0" encoding="base64"?><Command/>', "unsupported encoding"),
        (b"<!DOCTYPE Command><Command/>", "DOCTYPE"),
    ],
)
def test_failures_explain_themselves(document: bytes, explanation: str) -> None:
    result = parse_request_xml(document)
    assert isinstance(result, ParseFailure)
    assert explanation in result.explanation
    assert result.error.code == 19


def test_entity_expansion_is_refused() -> None:
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]><Command><Name>&lol9;</Name></Command>"
    )
    result = parse_request_xml(lol)
    assert isinstance(result, ParseFailure)
    assert "DOCTYPE" in result.explanation
