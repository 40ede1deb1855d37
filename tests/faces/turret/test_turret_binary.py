"""The binary-protocol reader and checked writer, over every Thrift type.

The Turret IDL uses only part of Thrift (no maps, i64 or doubles in requests),
but the reader must step over anything a client may add, and both modules
are generic over thriftpy2 specs. A small test-only IDL exercises all types,
with thriftpy2's writer as the reference encoder.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import thriftpy2
from hypothesis import given, settings
from hypothesis import strategies as st
from thriftpy2.protocol import binary
from thriftpy2.thrift import TType

from ctiswitch.faces.turret.reader import Incomplete, Reader, WireError
from ctiswitch.faces.turret.writer import check_struct

IDL = """
enum Colour { Red = 1, Blue = 2 }
struct Leaf { 1: required string s, 2: optional i64 big }
struct Everything {
    1: bool b, 2: i8 y, 3: i16 h, 4: i32 i, 5: i64 l, 6: double d, 7: string s,
    8: Leaf leaf, 9: list<Leaf> leaves, 10: set<i32> ints,
    11: map<string, list<Colour>> colours, 12: list<list<i16>> grid,
    13: set<string> tags, 14: map<i32, Leaf> byId, 15: Colour colour
}
struct Impostor { 10: set<string> ints, 11: map<i32, i32> colours }
"""


@pytest.fixture(scope="module")
def idl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("idl") / "everything.thrift"
    path.write_text(IDL)
    return thriftpy2.load(str(path), module_name="turret_everything_thrift")


def encode(value: Any) -> bytes:
    out = io.BytesIO()
    binary.write_val(out, TType.STRUCT, value)
    return out.getvalue()


def everything(idl: Any) -> st.SearchStrategy[Any]:
    def ints(bits: int) -> st.SearchStrategy[int]:
        return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)

    leaf = st.builds(idl.Leaf, s=st.text(max_size=8), big=st.none() | ints(64))
    opt = st.none().__or__
    return st.builds(
        idl.Everything,
        b=opt(st.booleans()),
        y=opt(ints(8)),
        h=opt(ints(16)),
        i=opt(ints(32)),
        l=opt(ints(64)),
        d=opt(st.floats(allow_nan=False)),
        s=opt(st.text(max_size=20)),
        leaf=opt(leaf),
        leaves=opt(st.lists(leaf, max_size=3)),
        ints=opt(st.sets(ints(32), max_size=4)),
        colours=opt(st.dictionaries(st.text(max_size=4), st.lists(st.sampled_from([1, 2]), max_size=3), max_size=3)),
        grid=opt(st.lists(st.lists(ints(16), max_size=3), max_size=3)),
        tags=opt(st.sets(st.text(max_size=4), max_size=3)),
        byId=opt(st.dictionaries(ints(32), leaf, max_size=3)),
        colour=opt(st.sampled_from([1, 2])),
    )


@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_reader_reads_what_thriftpy2_writes(idl: Any, data: st.DataObject) -> None:
    value = data.draw(everything(idl))
    check_struct(value, "value")  # the checked writer accepts every valid value
    wire = encode(value)
    reader = Reader(wire, 0, len(wire))
    assert reader.read_struct(idl.Everything) == value
    assert reader.pos == len(wire)

    skipper = Reader(wire, 0, len(wire))
    skipper.skip_struct()
    assert skipper.pos == len(wire)


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_every_prefix_is_incomplete_never_an_error(idl: Any, data: st.DataObject) -> None:
    wire = encode(data.draw(everything(idl)))
    for cut in range(len(wire)):
        with pytest.raises(Incomplete) as more:
            Reader(wire[:cut], 0, 1 << 20).read_struct(idl.Everything)
        assert cut < more.value.needed <= len(wire)


def test_container_element_types_must_match_the_idl(idl: Any) -> None:
    wrong = encode(idl.Impostor(ints={"a"}))
    with pytest.raises(WireError, match=r"element types \(11,\) where the IDL says \(8,\)"):
        Reader(wrong, 0, 1000).read_struct(idl.Everything)
    wrong_map = encode(idl.Impostor(colours={1: 2}))
    with pytest.raises(WireError, match=r"element types \(8, 8\)"):
        Reader(wrong_map, 0, 1000).read_struct(idl.Everything)
    empty = encode(idl.Impostor(ints=set(), colours={}))
    assert Reader(empty, 0, 1000).read_struct(idl.Everything) == idl.Everything(ints=set(), colours={})


def test_reader_honours_the_end_of_its_window(idl: Any) -> None:
    wire = encode(idl.Leaf("abc"))
    with pytest.raises(Incomplete):
        Reader(wire + b"more", 0, 1000, end=len(wire) - 1).read_struct(idl.Leaf)
    assert Reader(b"junk" + wire, 4, 1000).read_struct(idl.Leaf) == idl.Leaf("abc")


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("l", 1 << 63, "64 bits"),
        ("d", "1.5", "a number"),
        ("d", True, "a number"),
        ("colours", [("a", [1])], "a dict"),
        ("colours", {1: [1]}, "key must be a str"),
        ("colours", {"a": ["Red"]}, r"\['a'\]\[0\] must be an int"),
        ("byId", {1: None}, r"\[1\] must be a Leaf"),
        ("grid", [[1], "x"], r"grid\[1\] must be a collection"),
    ],
)
def test_checked_writer_names_the_bad_value(idl: Any, field: str, value: Any, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        check_struct(idl.Everything(**{field: value}), "v")


def test_checked_writer_requires_required_fields_in_nested_maps(idl: Any) -> None:
    with pytest.raises(ValueError, match=r"v\.byId\[3\]\.s is required"):
        check_struct(idl.Everything(byId={3: idl.Leaf(big=1)}), "v")


def test_nesting_depth_is_bounded_for_known_fields_too(idl: Any) -> None:
    wire = encode(idl.Everything(grid=[[1]]))
    assert Reader(wire, 0, 1000).read_struct(idl.Everything, depth=4).grid == [[1]]
    with pytest.raises(WireError, match="nesting too deep"):
        Reader(wire, 0, 1000).read_struct(idl.Everything, depth=3)
