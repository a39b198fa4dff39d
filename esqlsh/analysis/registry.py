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

import itertools
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Literal

from esqlsh.analysis.types import DataType

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

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
# function name -> the family it is declared in (the declaring module's name:
# ``math``, ``string``, ``aggregate`` …), for the documentation.
FAMILY: dict[str, str] = {}


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
    FAMILY[fn.name] = _declaring_module()
    for alias in fn.aliases:
        REGISTRY[alias.lower()] = fn
    return fn


def _declaring_module() -> str:
    """The last part of the name of the module that called :func:`declare` (helpers
    inside a declaration module count as that module)."""
    frame = sys._getframe(2)
    module = str(frame.f_globals.get("__name__", ""))
    return module.rsplit(".", 1)[-1]


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
_load_lock = threading.RLock()


def _load() -> None:
    """Import every declaration module once (lazily, to keep start-up fast).
    Threads (the coordinator's fan-out, the server) may race here: the flag is set
    only once every module is imported, under a lock."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        import importlib
        import pkgutil

        from esqlsh.analysis import functions

        for info in pkgutil.iter_modules(functions.__path__):
            importlib.import_module(f"{functions.__name__}.{info.name}")
        _loaded = True


# ------------------------------------------------------------------------ help


def public_functions() -> list[FunctionDef]:
    """Every function a user can call (operators aside), once each, by name."""
    seen: dict[str, FunctionDef] = {}
    for fn in all_functions().values():
        if fn.kind != "operator":
            seen.setdefault(fn.name, fn)
    return [seen[name] for name in sorted(seen)]


def type_names(ts: frozenset[DataType]) -> str:
    """``double | integer | long`` — the accepted types as Elasticsearch names them
    (``null``, accepted everywhere, is left out)."""
    return " | ".join(sorted(t.value for t in ts if t is not DataType.NULL)) or "none"


_MAX_COMBINATIONS = 2000


def return_types(fn: FunctionDef) -> list[DataType]:
    """The types ``fn`` can return, found by applying its return rule (and check) to
    each combination of single accepted types of its required parameters. Empty
    when there are too many combinations to try."""
    required = [p for p in fn.params if not p.optional] or list(fn.params[:1])
    choices = [sorted(p.types, key=str) for p in required]
    count = 1
    for options in choices:
        count *= max(len(options), 1)
    if count > _MAX_COMBINATIONS:
        return []
    found: set[DataType] = set()
    for combo in itertools.product(*choices):
        try:
            if fn.check is not None and fn.check(combo, ["x"] * len(combo), "f(x)"):
                continue
            found.add(fn.return_type(combo))
        except (IndexError, KeyError, TypeError, ValueError):
            continue
    return sorted(found, key=str)


def help_text(name: str) -> str:
    """The text of ``\\help NAME``: the signature, one line per parameter (its
    accepted types, whether optional, its doc), the return types, the doc line and
    the examples. Raises KeyError for an unknown function."""
    fn = lookup(name)
    if fn is None or fn.kind == "operator":
        raise KeyError(name)
    lines = [fn.signature]
    width = max((len(p.name) for p in fn.params), default=0)
    for p in fn.params:
        flags = ", optional" if p.optional else ""
        flags += ", repeatable" if p.variadic else ""
        flags += ", constant" if p.constant else ""
        lines.append(f"  {p.name.ljust(width)}  {type_names(p.types)}{flags}")
        if p.doc:
            lines.append(f"  {' ' * width}  {p.doc}")
    returned = return_types(fn)
    if returned:
        lines.append(f"  returns: {type_names(frozenset(returned))}")
    if fn.aliases:
        lines.append(f"  aliases: {', '.join(a.upper() for a in fn.aliases)}")
    lines += ["", fn.doc]
    if fn.examples:
        lines += ["", "Example:" if len(fn.examples) == 1 else "Examples:"]
        lines += [f"  {example}" for example in fn.examples]
    return "\n".join(lines)
