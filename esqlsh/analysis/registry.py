"""The function registry: every ES|QL function (and operator) declared once.

A declaration says what the analyzer, the completer and ``\\help`` need: name,
kind, parameters with the types each accepts, how the return type follows from
the argument types, whether multi-values are taken whole, and a doc line. The
engine's implementation is looked up by the same name in ``esqlsh.engine.functions``
(a test checks both sides list the same names).

Declarations live in ``esqlsh/analysis/functions/*.py`` (one module per family),
each calling :func:`declare`. Operators are functions too, under the names
``add sub mul div mod neg eq neq lt lte gt gte and or not is_null is_not_null in
like rlike`` so that executors have one thing to translate; they are marked
``kind="operator"`` and hidden from completion and help listings.

Type errors use Elasticsearch's wording, built by the analyzer from ``Param.expected``:
``first argument of [abs("a")] must be [numeric], found value ["a"] type [keyword]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from esqlsh.analysis.types import DataType

Kind = Literal["scalar", "aggregate", "grouping", "operator"]

ReturnRule = Callable[[Sequence[DataType]], DataType]
# A custom check returns Elasticsearch's problem message (without "line L:C: ") or None.
# It receives the argument types and the argument source texts and the call text.
CheckRule = Callable[[Sequence[DataType], Sequence[str], str], "str | None"]


@dataclass(frozen=True)
class Param:
    """One parameter. ``types`` are the accepted ES|QL types (``null`` is always
    accepted); ``expected`` is Elasticsearch's phrase for them in type errors
    (``numeric``, ``string``, ``datetime``, ``boolean`` …). ``variadic`` means it
    repeats (zero or more times unless ``optional`` is False, then one or more).
    ``constant`` means it must be foldable (a literal or literal expression)."""

    name: str
    types: frozenset[DataType]
    expected: str = ""
    optional: bool = False
    variadic: bool = False
    constant: bool = False
    doc: str = ""


@dataclass(frozen=True)
class FunctionDef:
    name: str
    kind: Kind
    params: tuple[Param, ...]
    returns: DataType | ReturnRule
    doc: str
    multivalue: bool = False  # True: args are taken whole (MV_*, aggregates); else
    #                           a multi-valued arg gives null + a warning.
    check: CheckRule | None = None
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)

    def return_type(self, args: Sequence[DataType]) -> DataType:
        if isinstance(self.returns, DataType):
            return self.returns
        return self.returns(args)

    @property
    def signature(self) -> str:
        """``ROUND(number, [decimals])`` — for completion and help."""
        parts = []
        for p in self.params:
            text = p.name + ("..." if p.variadic else "")
            parts.append(f"[{text}]" if p.optional else text)
        return f"{self.name.upper()}({', '.join(parts)})"


REGISTRY: dict[str, FunctionDef] = {}


def declare(
    name: str,
    kind: Kind,
    params: Sequence[Param],
    returns: DataType | ReturnRule,
    doc: str,
    **kwargs: object,
) -> FunctionDef:
    """Register one function. Names are lower-case; aliases share the definition."""
    fn = FunctionDef(name.lower(), kind, tuple(params), returns, doc, **kwargs)  # type: ignore[arg-type]
    if fn.name in REGISTRY:
        raise ValueError(f"function [{fn.name}] declared twice")
    REGISTRY[fn.name] = fn
    for alias in fn.aliases:
        REGISTRY[alias.lower()] = fn
    return fn


def same_as(index: int) -> ReturnRule:
    """Return rule: the type of argument ``index``."""
    return lambda types: types[index]


def lookup(name: str) -> FunctionDef | None:
    _load()
    return REGISTRY.get(name.lower())


def all_functions() -> dict[str, FunctionDef]:
    _load()
    return REGISTRY


_loaded = False


def _load() -> None:
    """Import every declaration module once (lazily, to keep start-up fast)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    from esqlsh.analysis import functions

    for info in pkgutil.iter_modules(functions.__path__):
        importlib.import_module(f"{functions.__name__}.{info.name}")
