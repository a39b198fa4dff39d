"""``dataclass`` for the node classes, without compiling code when a class is made.

The standard decorator writes each class its own ``__init__``, ``__repr__``,
``__eq__``, ``__hash__`` (and, frozen, ``__setattr__``/``__delattr__``) as source
text and compiles it: about 0.1 ms a method, so the AST and the plan (65 classes)
cost some 40 ms of every start-up. Here the standard decorator still reads the
fields (``fields()``, ``replace()``, ``asdict()``, ``__match_args__`` and the
inheritance rules are its own), and the methods are closures over a table of the
class's fields made once per class. They behave as Python 3.11's generated ones:
the same equality (a tuple of the compared fields, only between instances of the
very same class), the same hash, the same repr, the same ``FrozenInstanceError``
and the same ``TypeError`` for a bad call (``tests/syntax/test_records.py``
compares the two decorators). Building an instance costs a little more (a
microsecond or two), which a query's few hundred nodes do not feel.

Only ``@dataclass`` and ``@dataclass(frozen=True)`` are taken over; any other
option, a dataclass base class, ``__post_init__`` or a keyword-only field goes to
the standard decorator unchanged. Modules import it as ``dataclass`` at run time
and the standard one for type checking, so checkers see a plain dataclass.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError
from operator import attrgetter
from threading import get_ident
from typing import Any, TypeVar, cast

_C = TypeVar("_C", bound=type)


def _params(frozen: bool) -> Any:
    """What ``__dataclass_params__`` says for ``@dataclass(frozen=frozen)``: the
    standard decorator's own record, so introspection sees what was asked for
    (made from an empty class's, without generating its methods)."""
    empty = type("_Probe", (), {"__doc__": "-"})  # (a doc: none would be computed)
    probe: Any = dataclasses.dataclass(empty, init=False, repr=False, eq=False)
    params = probe.__dataclass_params__
    params.init = params.repr = params.eq = True
    params.frozen = frozen
    return params


_PARAMS = {True: _params(True), False: _params(False)}


def dataclass(cls: _C | None = None, /, **options: Any) -> Any:
    """``@dataclass`` / ``@dataclass(frozen=True)``; anything else is the standard
    decorator's."""
    if set(options) - {"frozen"}:
        return dataclasses.dataclass(cls, **options)
    frozen = bool(options.get("frozen", False))

    def wrap(klass: _C) -> _C:
        return _make(klass, frozen)

    return wrap if cls is None else wrap(cls)


class _Spec:
    """A class's fields as its methods need them."""

    def __init__(self, cls: type, frozen: bool):
        fields = dataclasses.fields(cls)
        self.cls = cls
        self.qualname = cls.__qualname__
        self.frozen = frozen
        self.names = frozenset(f.name for f in fields)
        self.init = tuple(f.name for f in fields if f.init)
        self.defaults = {f.name: f.default for f in fields if f.init and f.default is not MISSING}
        self.factories = {
            f.name: f.default_factory for f in fields if f.init and f.default_factory is not MISSING
        }
        # init=False fields get their default (or a new value of their factory).
        self.derived = tuple(
            (f.name, f.default, f.default_factory)
            for f in fields
            if not f.init and (f.default is not MISSING or f.default_factory is not MISSING)
        )
        self.shown = tuple(f.name for f in fields if f.repr)
        self.compared = _tuple_getter(tuple(f.name for f in fields if f.compare))
        hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
        self.hashed = _tuple_getter(hashed)


def _tuple_getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    # Always a tuple, as the generated methods compare and hash tuples (`(x,) ==
    # (y,)` holds for the same NaN object where `x == y` does not).
    if len(names) > 1:
        return attrgetter(*names)
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _make(cls: _C, frozen: bool) -> _C:
    own = cls.__dict__
    if (
        any(hasattr(base, "__dataclass_fields__") for base in cls.__mro__[1:])
        or "__post_init__" in own
        or (frozen and ("__setattr__" in own or "__delattr__" in own))
    ):
        return cast("_C", dataclasses.dataclass(cls, frozen=frozen))
    explicit_hash = own.get("__hash__", MISSING)
    has_explicit_hash = not (
        explicit_hash is MISSING or (explicit_hash is None and "__eq__" in own)
    )
    documented = bool(cls.__doc__)
    if not documented:
        # (made below; the decorator would ask inspect for a signature first)
        type.__setattr__(cls, "__doc__", cls.__name__)
    # The fields, __match_args__ and the checks, with no method generated.
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    if any(f.kw_only is True for f in dataclasses.fields(cls)):
        raise TypeError(f"{cls.__qualname__}: use dataclasses.dataclass for kw_only fields")
    spec = _Spec(cls, frozen)
    type.__setattr__(cls, "__dataclass_params__", _PARAMS[frozen])
    methods = {"__init__": _init(spec), "__repr__": _repr(spec), "__eq__": _eq(spec)}
    if frozen:
        methods.update(_frozen(spec))
    for name, method in methods.items():
        if name not in own:  # (a class's own __setattr__ went to the standard one)
            method.__qualname__ = f"{cls.__qualname__}.{name}"
            type.__setattr__(cls, name, method)
    if not has_explicit_hash:
        type.__setattr__(cls, "__hash__", _hash(spec) if frozen else None)
    if not documented:
        type.__setattr__(cls, "__doc__", cls.__name__ + _signature_text(cls))
    return cls


def _signature_text(cls: type) -> str:
    """``(a: 'int', b: 'str' = 'x')``: the standard decorator's doc for a class
    without one (the signature of its ``__init__``)."""
    params = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        text = f"{f.name}: {inspect.formatannotation(f.type)}"
        if f.default is not MISSING:
            text += f" = {f.default!r}"
        elif f.default_factory is not MISSING:
            text += " = <factory>"
        params.append(text)
    return f"({', '.join(params)})"


# ------------------------------------------------------------------ the methods
# Each is a closure over one class's ``_Spec``, as a generated method belongs to
# the class it was generated for (a subclass that is no dataclass inherits it).


def _init(spec: _Spec) -> Callable[..., None]:
    names = spec.init
    count = len(names)
    derived = spec.derived
    frozen = spec.frozen

    def __init__(self: Any, *args: object, **kwargs: object) -> None:
        if kwargs or len(args) != count:
            args = _bind(spec, args, kwargs)
        if frozen:
            # What object.__setattr__ does for a plain instance (a field is no
            # descriptor), for every field at once.
            self.__dict__.update(zip(names, args, strict=True))
        else:
            for name, value in zip(names, args, strict=True):
                setattr(self, name, value)
        for name, default, factory in derived:
            value = factory() if default is MISSING else default  # type: ignore[operator]
            if frozen:
                object.__setattr__(self, name, value)
            else:
                setattr(self, name, value)

    return __init__


def _bind(spec: _Spec, args: tuple[object, ...], kwargs: dict[str, object]) -> tuple[object, ...]:
    """Every init field's value, in order: ``args``, then ``kwargs``, defaults and
    new values of default factories; Python's TypeErrors for a bad call."""
    names = spec.init
    given = len(args)
    if given > len(names):
        _too_many(spec, given)
    values = list(args)
    missing = []
    for name in names[given:]:
        if name in kwargs:
            values.append(kwargs.pop(name))
        elif name in spec.defaults:
            values.append(spec.defaults[name])
        elif name in spec.factories:
            values.append(spec.factories[name]())
        else:
            missing.append(name)
    if kwargs:
        _bad_keywords(spec, kwargs)
    if missing:
        _missing(spec, missing)
    return tuple(values)


def _missing(spec: _Spec, missing: list[str]) -> None:
    quoted = [repr(name) for name in missing]
    listed = quoted[0]
    if len(quoted) > 1:
        listed = ", ".join(quoted[:-1]) + ("," if len(quoted) > 2 else "") + " and " + quoted[-1]
    plural = "argument" if len(missing) == 1 else "arguments"
    raise TypeError(
        f"{spec.qualname}.__init__() missing {len(missing)} required positional {plural}: {listed}"
    )


def _too_many(spec: _Spec, given: int) -> None:
    # Python's own wording for a function with this signature (self included).
    most = len(spec.init) + 1
    least = most - len(spec.defaults) - len(spec.factories)
    takes = f"{most} positional argument{'s' if most != 1 else ''}"
    if least != most:
        takes = f"from {least} to {most} positional arguments"
    raise TypeError(f"{spec.qualname}.__init__() takes {takes} but {given + 1} were given")


def _bad_keywords(spec: _Spec, kwargs: dict[str, object]) -> None:
    name = next(iter(kwargs))
    if name in spec.init:
        raise TypeError(f"{spec.qualname}.__init__() got multiple values for argument {name!r}")
    raise TypeError(f"{spec.qualname}.__init__() got an unexpected keyword argument {name!r}")


_repr_running: set[tuple[int, int]] = set()


def _repr(spec: _Spec) -> Callable[[object], str]:
    shown = spec.shown

    def __repr__(self: object) -> str:
        # As the standard decorator's repr: a node met again inside itself is "...".
        key = (id(self), get_ident())
        if key in _repr_running:
            return "..."
        _repr_running.add(key)
        try:
            fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({fields})"
        finally:
            _repr_running.discard(key)

    return __repr__


def _eq(spec: _Spec) -> Callable[[object, object], object]:
    compared = spec.compared

    def __eq__(self: object, other: object) -> object:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    return __eq__


def _hash(spec: _Spec) -> Callable[[object], int]:
    hashed = spec.hashed

    def __hash__(self: object) -> int:
        return hash(hashed(self))

    return __hash__


def _frozen(spec: _Spec) -> dict[str, Callable[..., None]]:
    cls, names = spec.cls, spec.names

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}
