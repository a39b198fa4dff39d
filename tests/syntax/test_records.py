"""``esqlsh.syntax.records.dataclass`` behaves as ``dataclasses.dataclass``: each
class is declared twice, once with each decorator, and every observable is
compared (construction and its errors, repr, equality, hash, frozenness,
``fields``/``replace``/``asdict``, ``__match_args__``, pickling, docs)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from dataclasses import FrozenInstanceError, field
from typing import Any

import pytest

from esqlsh.syntax import ast
from esqlsh.syntax.records import dataclass as record

Decorator = Callable[..., Any]


def declare(deco: Decorator, frozen: bool) -> dict[str, type]:
    """The same classes under ``deco``."""

    def make(cls: type) -> type:
        return deco(frozen=True)(cls) if frozen else deco(cls)

    class Empty:
        pass

    class Point:
        x: int
        y: int = 0
        note: str = field(default="", compare=False, repr=False)

    class Bag:
        """A documented one."""

        items: list[int] = field(default_factory=list)
        label: str | None = None
        hidden: int = field(default=7, init=False)
        weight: float = field(default=1.0, hash=False)

    class One:
        value: object

    class Keyed:
        name: str

        def __hash__(self) -> int:
            return 42

    class Three:
        a: int
        b: int
        c: int

    Empty.__qualname__ = Point.__qualname__ = Bag.__qualname__ = "T"
    One.__qualname__ = Keyed.__qualname__ = Three.__qualname__ = "T"
    return {
        "Three": make(Three),
        "Empty": make(Empty),
        "Point": make(Point),
        "Bag": make(Bag),
        "One": make(One),
        "Keyed": make(Keyed),
    }


def observe(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("ok", call())
    except Exception as err:  # noqa: BLE001 - the error is what is compared
        return (type(err).__name__, str(err))


ARGS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("Empty", (), {}),
    ("Empty", (1,), {}),
    ("Point", (1,), {}),
    ("Point", (1, 2), {}),
    ("Point", (1, 2, "n"), {}),
    ("Point", (), {"x": 3, "note": "z"}),
    ("Point", (), {}),
    ("Point", (1,), {"x": 2}),
    ("Point", (1,), {"z": 2}),
    ("Point", (1, 2, 3, 4), {}),
    ("Bag", (), {}),
    ("Bag", ([1],), {"label": "a", "weight": 2.5}),
    ("Bag", (), {"hidden": 1}),
    ("One", (float("nan"),), {}),
    ("One", (), {}),
    ("Keyed", ("k",), {}),
    ("Three", (), {}),
    ("Three", (1,), {"c": 3}),
]


def state(obj: Any) -> Any:
    return (repr(obj), dataclasses.asdict(obj), dataclasses.astuple(obj))


@pytest.mark.parametrize("frozen", [True, False])
@pytest.mark.parametrize(("name", "args", "kwargs"), ARGS)
def test_construction_repr_and_values(
    frozen: bool, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    mine, std = declare(record, frozen)[name], declare(dataclasses.dataclass, frozen)[name]
    got = observe(lambda: state(mine(*args, **kwargs)))
    want = observe(lambda: state(std(*args, **kwargs)))
    assert got == want


@pytest.mark.parametrize("frozen", [True, False])
def test_equality_and_hash(frozen: bool) -> None:
    for deco in (record, dataclasses.dataclass):
        c = declare(deco, frozen)
        nan = float("nan")
        assert c["One"](nan) == c["One"](nan)  # the same object: tuples compare by identity
        assert c["One"](1) != c["One"](2)
        assert c["Point"](1, 2, "a") == c["Point"](1, 2, "b")  # note is not compared
        assert c["Point"](1) != c["Bag"]()
        assert c["Point"](1).__eq__(object()) is NotImplemented
        assert c["Bag"]([1]) == c["Bag"]([1])
        if frozen:
            assert hash(c["Point"](1, 2, "a")) == hash((1, 2))
            assert hash(c["One"]("v")) == hash(("v",))
            assert hash(c["Bag"]((1,), "x", 9.0)) == hash(((1,), "x", 7))
            assert hash(c["Empty"]()) == hash(())
        else:
            assert c["Point"].__hash__ is None
        assert hash(c["Keyed"]("k")) == 42


@pytest.mark.parametrize("frozen", [True, False])
def test_introspection_is_the_standard_one(frozen: bool) -> None:
    mine, std = declare(record, frozen), declare(dataclasses.dataclass, frozen)
    for name in mine:
        a, b = mine[name], std[name]
        assert dataclasses.is_dataclass(a)
        assert [(f.name, f.init, f.repr, f.compare, f.hash) for f in dataclasses.fields(a)] == [
            (f.name, f.init, f.repr, f.compare, f.hash) for f in dataclasses.fields(b)
        ]
        assert a.__match_args__ == b.__match_args__  # type: ignore[attr-defined]
        assert repr(a.__dataclass_params__) == repr(b.__dataclass_params__)  # type: ignore[attr-defined]
        assert a.__doc__ == b.__doc__


def test_frozen_instances_refuse_changes() -> None:
    for deco in (record, dataclasses.dataclass):
        point = declare(deco, True)["Point"](1)
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
            point.x = 2
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'other'"):
            point.other = 2
        with pytest.raises(FrozenInstanceError, match="cannot delete field 'x'"):
            del point.x
        assert point.x == 1


@pytest.mark.parametrize("frozen", [True, False])
def test_a_plain_subclass_inherits_the_methods(frozen: bool) -> None:
    seen = []
    for deco in (record, dataclasses.dataclass):
        point = declare(deco, frozen)["Point"]
        sub = type("Sub", (point,), {})
        one = sub(1, 2)
        extra = observe(lambda one=one: setattr(one, "extra", 1))
        seen.append((repr(one), one == sub(1, 2), one == point(1, 2), extra))
    assert seen[0] == seen[1]
    assert seen[0][3] == ("ok", None)  # not a field, and not the class itself


def test_replace_copy_and_pickle() -> None:
    point = ast.FieldRef("a.b", ast.Source(1, 3, 2, 5, "a.b"))
    moved = dataclasses.replace(point, name="c")
    assert (moved.name, moved.source) == ("c", point.source)
    assert copy.copy(point) == point and copy.deepcopy(point) == point
    back = pickle.loads(pickle.dumps(point))
    assert back == point and back.source == point.source
    with pytest.raises(ValueError, match="init=False"):
        dataclasses.replace(declare(record, True)["Bag"](), hidden=1)


def test_mutable_records_assign() -> None:
    bag = declare(record, False)["Bag"]()
    bag.label = "x"
    bag.items.append(1)
    assert (bag.label, bag.items, bag.hidden) == ("x", [1], 7)
    assert declare(record, False)["Bag"]().items == []  # a new list each time


def test_other_options_and_dataclass_bases_are_the_standard_decorator() -> None:
    @record(order=True)
    class Ordered:
        a: int

    assert Ordered(1) < Ordered(2)  # type: ignore[operator]

    @record(frozen=True)
    class Base:
        a: int

    @record(frozen=True)
    class Child(Base):
        b: int = 0

    assert Child(1, 2) == Child(1, 2) and Child(1) != Base(1)
    assert Child.__init__ is not Base.__init__  # generated for Child by the standard one


def test_ast_nodes_compare_without_their_source() -> None:
    one = ast.Literal(1, "integer", ast.Source(1, 5, 4, 5, "1"))
    assert one == ast.Literal(1, "integer") and hash(one) == hash(ast.Literal(1, "integer"))
    assert repr(one) == "Literal(value=1, kind='integer')"
    with pytest.raises(FrozenInstanceError):
        one.value = 2  # type: ignore[misc]
