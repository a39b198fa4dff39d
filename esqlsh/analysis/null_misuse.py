"""The null-misuse lint: warnings for an explicit ``NULL`` that makes an expression
always null (Elasticsearch's ``WarnNullMisuse``, #158059, capability
``warn_null_misuse``).

Elasticsearch runs it once on the analyzed plan, before any optimization, so the
warnings point at what the user wrote:

* ``Line L:C: Expression [x + NULL] always evaluates to NULL.``
* ``… [x == NULL] always evaluates to NULL, did you mean [x IS NULL]?`` (``!=`` and
  ``NOT (x == NULL)``: ``IS NOT NULL``);
* a ``NULL`` in an ``IN`` list is ignored rather than making the result null:
  ``Line L:C: NULL in the IN list of [x IN (1, NULL)] is ignored, you can move it to
  [OR x IS NULL].`` and its variants.

Only a literal written ``null`` counts (not a parameter, not a column that holds
null), and only as a *direct* argument: the warning names the innermost call the
null is given to. Calls whose result may survive a null argument (``CASE``,
``COALESCE``, ``AND``, ``OR``, ``IS [NOT] NULL``) and aggregates never warn; the
lint still looks inside their arguments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from esqlsh.analysis.registry import lookup
from esqlsh.plan.logical import FnCall, Lit, Plan, TExpr

# Nullability other than TRUE in Elasticsearch: these can be non-null with a null
# argument (three-valued logic, null handling), so FoldNull leaves them alone.
_NOT_NULL_PROPAGATING = frozenset({"and", "or", "case", "coalesce", "is_null", "is_not_null"})
_EQUALITY = {"eq": " IS NULL", "neq": " IS NOT NULL"}


def null_misuse_warnings(plan: Plan) -> list[str]:
    """The warnings for ``plan``, in Elasticsearch's order (the plan walked from its
    last command down), each once."""
    found: list[str] = []
    for node in reversed(plan.nodes):
        for expr in _expressions(node):
            found.extend(_check(expr))
    return list(dict.fromkeys(found))


def _expressions(value: object) -> Iterator[TExpr]:
    """Every top-level expression held by a plan node (or its nested parts)."""
    if isinstance(value, (Lit, FnCall)):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _expressions(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("schema", "source"):
                yield from _expressions(getattr(value, f.name))


def is_explicit_null(e: TExpr) -> bool:
    """A literal the user wrote as ``null``."""
    return isinstance(e, Lit) and e.value is None and e.source.text.lower() == "null"


def _check(e: TExpr) -> Iterator[str]:
    if not isinstance(e, FnCall):
        return
    inner = e.args[0] if e.name == "not" and e.args else None
    if isinstance(inner, FnCall) and inner.name == "in" and _null_in_list(inner):
        yield _in_list_warning(e, inner, negated=True)
        yield from _check_all(inner.args)
        return
    if isinstance(inner, FnCall) and inner.name == "eq" and _folds_to_null(inner):
        yield _null_warning(e, _kept_operand(inner), " IS NOT NULL")
        yield from _check_all(inner.args)
        return
    if e.name == "in" and _null_in_list(e):
        yield _in_list_warning(e, e, negated=False)
        yield from _check_all(e.args)
        return
    if _folds_to_null(e):
        suffix = _EQUALITY.get(e.name)
        kept = _kept_operand(e) if suffix else None
        yield _null_warning(e, kept, suffix or "")
    yield from _check_all(e.args)


def _check_all(args: Iterable[TExpr]) -> Iterator[str]:
    for arg in args:
        yield from _check(arg)


def _folds_to_null(e: FnCall) -> bool:
    """Elasticsearch's FoldNull with only explicit nulls counting: a call that is
    null whenever one of its own arguments is null, given a written ``null``."""
    if e.star or e.name in _NOT_NULL_PROPAGATING:
        return False
    fn = lookup(e.name)
    if fn is not None and fn.kind == "aggregate":
        return False
    if e.name == "in":
        return bool(e.args) and is_explicit_null(e.args[0])
    return any(is_explicit_null(a) for a in e.args)


def _null_in_list(e: FnCall) -> bool:
    return any(is_explicit_null(a) for a in e.args[1:])


def _kept_operand(e: FnCall) -> str | None:
    """The text of the non-null side of ``x == NULL``, if it is worth suggesting."""
    if len(e.args) != 2:
        return None
    left, right = e.args
    kept = left if _is_null_value(right) else right if _is_null_value(left) else None
    if kept is None or isinstance(kept, Lit):
        return None
    return kept.source.text or None


def _is_null_value(e: TExpr) -> bool:
    return isinstance(e, Lit) and e.value is None


def _where(e: FnCall) -> str:
    return f"Line {e.source.line}:{e.source.column}: "


def _null_warning(e: FnCall, kept: str | None, suffix: str) -> str:
    text = f"{_where(e)}Expression [{e.source.text}] always evaluates to NULL"
    if kept is not None:
        return f"{text}, did you mean [{kept}{suffix}]?"
    return text + "."


def _in_list_warning(source: FnCall, in_call: FnCall, negated: bool) -> str:
    value = in_call.args[0]
    kept = None if isinstance(value, Lit) else (value.source.text or None)
    all_null = all(is_explicit_null(a) for a in in_call.args[1:])
    head = f"{_where(source)}NULL in the IN list of [{source.source.text}] is ignored"
    if all_null and kept is not None:
        return f"{head}, did you mean [{kept}{' IS NOT NULL' if negated else ' IS NULL'}]?"
    if not all_null and not negated and kept is not None:
        return f"{head}, you can move it to [OR {kept} IS NULL]."
    return head + "."
