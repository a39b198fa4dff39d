"""Resolution of AST expressions into typed plan expressions (``TExpr``).

Operators, ``IN``, ``LIKE``, ``IS NULL`` and casts become ``FnCall``s of registry
functions; names resolve against a :class:`Scope`; literals, list literals, time
spans and query parameters become ``Lit``s typed as Elasticsearch types them.

Problems are collected, not raised, with Elasticsearch's wording and positions. As
in Elasticsearch's Verifier, an expression whose children failed to resolve is not
checked itself (one root cause, one message). ``resolve`` returns None for an
expression that did not resolve.

Implicit casting follows Elasticsearch's ``ImplicitCasting`` rule: a string literal
compared or combined with a date, ip, version or boolean, or passed where a function
parameter does not accept strings, is converted. Numbers and booleans are converted
here (so a bad one is an analysis error, as in Elasticsearch); dates, ips, versions
and spatial values are wrapped in their conversion function for the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from esqlsh.analysis import literals, messages
from esqlsh.analysis.registry import FunctionDef, Param, all_functions, lookup
from esqlsh.analysis.types import CAST_NAMES, NUMERIC, STRING, TEMPORAL_AMOUNT, DataType
from esqlsh.errors import IllegalArgumentError, ParsingError, Problem
from esqlsh.plan.logical import Attribute, FnCall, Lit, Ref, TExpr
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

T = DataType

# --------------------------------------------------------------------- scope


@dataclass
class Scope:
    """The columns an expression may reference: the input schema in order, why each
    unusable (``unsupported``) column cannot be used, and the constant expressions
    columns were set to by ROW or EVAL (a parameter that must be a constant accepts
    such a column, as Elasticsearch folds it before checking)."""

    attrs: list[Attribute]
    unusable: dict[str, str] = field(default_factory=dict)
    constants: dict[str, TExpr] = field(default_factory=dict)

    def get(self, name: str) -> Attribute | None:
        for attr in reversed(self.attrs):
            if attr.name == name:
                return attr
        return None

    def names(self) -> list[str]:
        return [a.name for a in self.attrs]

    def copy(self) -> Scope:
        return Scope(list(self.attrs), dict(self.unusable), dict(self.constants))

    def with_attrs(self, attrs: Sequence[Attribute], redefined: Sequence[str] = ()) -> Scope:
        """A scope with ``attrs`` as columns, keeping what is known of the columns still
        here and not ``redefined``."""
        names = {a.name for a in attrs} - set(redefined)
        return Scope(
            list(attrs),
            {k: v for k, v in self.unusable.items() if k in names},
            {k: v for k, v in self.constants.items() if k in names},
        )

    def define(self, name: str, value: TExpr) -> None:
        """Column ``name`` is (re)defined as ``value`` (last in the schema)."""
        self.attrs = [a for a in self.attrs if a.name != name] + [Attribute(name, value.type)]
        self.unusable.pop(name, None)
        if is_foldable(value):
            self.constants[name] = value
        else:
            self.constants.pop(name, None)

    def unusable_message(self, name: str) -> str:
        return self.unusable.get(name) or (
            f"Cannot use field [{name}] with unsupported type [unsupported]"
        )


def merge_output(fields: Sequence[Attribute], child: Sequence[Attribute]) -> list[Attribute]:
    """``NamedExpressions.mergeOutputAttributes``: the child's columns not redefined,
    then the new ones, each name once at its last occurrence."""
    names = [f.name for f in fields]
    out = [a for a in child if a.name not in names]
    last = {name: i for i, name in enumerate(names)}
    out.extend(f for i, f in enumerate(fields) if last[f.name] == i)
    return out


# ------------------------------------------------------------- parameters


@dataclass(frozen=True)
class ParamValues:
    """The query parameters: positional (a list) or named (a dict, whose order also
    gives positions, as Elasticsearch's params list does)."""

    values: tuple[object, ...] = ()
    names: tuple[str, ...] = ()

    @staticmethod
    def of(params: list[object] | dict[str, object] | None) -> ParamValues:
        """Raises IllegalArgumentError for values Elasticsearch's request parser
        rejects (see ``literals.param_problems``)."""
        if params is None:
            return ParamValues()
        if isinstance(params, dict):
            values = ParamValues(tuple(params.values()), tuple(params.keys()))
        else:
            values = ParamValues(tuple(params))
        named = values.names or (None,) * len(values.values)
        problems = [
            problem
            for value, name in zip(values.values, named, strict=True)
            for problem in literals.param_problems(value, name)
        ]
        if problems:
            raise IllegalArgumentError("Failed to parse params: " + "; ".join(problems))
        return values


# ------------------------------------------------------------------ helpers

OPERATORS = {
    "+": "add",
    "-": "sub",
    "*": "mul",
    "/": "div",
    "%": "mod",
    "==": "eq",
    "!=": "neq",
    "<": "lt",
    "<=": "lte",
    ">": "gt",
    ">=": "gte",
    "AND": "and",
    "OR": "or",
}
COMPARISONS = frozenset({"eq", "neq", "lt", "lte", "gt", "gte"})
ARITHMETIC = frozenset({"add", "sub", "mul", "div", "mod"})
DATE_ARITHMETIC = frozenset({"add", "sub"})

CONVERSION_FUNCTIONS: dict[DataType, str] = {
    T.BOOLEAN: "to_boolean",
    T.CARTESIAN_POINT: "to_cartesianpoint",
    T.CARTESIAN_SHAPE: "to_cartesianshape",
    T.DATETIME: "to_datetime",
    T.DATE_NANOS: "to_date_nanos",
    T.DATE_PERIOD: "to_dateperiod",
    T.DOUBLE: "to_double",
    T.GEO_POINT: "to_geopoint",
    T.GEO_SHAPE: "to_geoshape",
    T.INTEGER: "to_integer",
    T.IP: "to_ip",
    T.KEYWORD: "to_string",
    T.TEXT: "to_string",
    T.LONG: "to_long",
    T.TIME_DURATION: "to_timeduration",
    T.UNSIGNED_LONG: "to_unsigned_long",
    T.VERSION: "to_version",
}

# Elasticsearch's ImplicitCasting.supportsStringImplicitCasting.
STRING_CASTABLE = frozenset({T.DATETIME, T.DATE_NANOS, T.IP, T.VERSION, T.BOOLEAN})

# EsqlFunctionRegistry.DATA_TYPE_CASTING_PRIORITY: the target of a string literal
# passed to a parameter that does not take strings.
CASTING_PRIORITY = (
    T.DATETIME,
    T.DATE_PERIOD,
    T.TIME_DURATION,
    T.DOUBLE,
    T.LONG,
    T.INTEGER,
    T.IP,
    T.VERSION,
    T.GEO_POINT,
    T.GEO_SHAPE,
    T.CARTESIAN_POINT,
    T.CARTESIAN_SHAPE,
    T.BOOLEAN,
    T.UNSIGNED_LONG,
)

TEMPORAL_CONVERSIONS = {"to_dateperiod": T.DATE_PERIOD, "to_timeduration": T.TIME_DURATION}

# Functions whose mixed numeric arguments are cast to the first numeric type.
MIXED_NUMERIC_FUNCTIONS = frozenset({"coalesce", "case", "greatest", "least"})

_NUM_NAMES = ("zero", "one", "two", "three", "four", "five")


def problem_at(source: ast.Source, message: str) -> Problem:
    return Problem(source.line, source.column, message)


def name_of(e: TExpr) -> str:
    """``Expressions.name``: a column's name, otherwise the expression's text."""
    return e.name if isinstance(e, Ref) else e.source.text


def is_aggregate(e: TExpr) -> bool:
    if not isinstance(e, FnCall):
        return False
    fn = lookup(e.name)
    return fn is not None and fn.kind == "aggregate"


def is_grouping(e: TExpr) -> bool:
    if not isinstance(e, FnCall):
        return False
    fn = lookup(e.name)
    return fn is not None and fn.kind == "grouping"


def is_foldable(e: TExpr) -> bool:
    """A constant: a literal, or a non-aggregate function of constants."""
    if isinstance(e, Lit):
        return True
    if isinstance(e, Ref):
        return False
    return not is_aggregate(e) and not e.star and all(is_foldable(a) for a in e.args)


def walk(e: TExpr) -> list[TExpr]:
    """All nodes of ``e``, parents before children, left to right."""
    out = [e]
    if isinstance(e, FnCall):
        for arg in e.args:
            out.extend(walk(arg))
    return out


def cast_target(param: Param) -> DataType | None:
    """``EsqlFunctionRegistry.getTargetType``: where a string literal argument is
    converted to (None: the parameter takes strings, or nothing to convert to)."""
    if param.types & STRING:
        return None
    for t in CASTING_PRIORITY:
        if t in param.types:
            return t
    return None


def arity_message(fn: FunctionDef, count: int) -> str | None:
    """Elasticsearch's ``error building [f]: expects …`` reasons (None: arity is fine)."""
    params = fn.params
    required = sum(1 for p in params if not p.optional)
    variadic = bool(params) and params[-1].variadic
    if not params:
        return None if count == 0 else "expects no arguments"
    if variadic:
        if count >= required:
            return None
        noun = "argument" if required == 1 else "arguments"
        return f"expects at least {_NUM_NAMES[min(required, 5)]} {noun}"
    total = len(params)
    if required <= count <= total:
        return None
    if total == 1:
        return "expects exactly one argument"
    if required == total:
        return f"expects exactly {_NUM_NAMES[total]} arguments"
    if total == required + 1:
        return f"expects {_NUM_NAMES[required]} or {_NUM_NAMES[total]} arguments"
    if total == 4 and required == 2:
        return "expects minimum two, maximum four arguments"
    return f"expects between {_NUM_NAMES[required]} and {_NUM_NAMES[total]} arguments"


def param_for(fn: FunctionDef, index: int) -> Param | None:
    if index < len(fn.params):
        return fn.params[index]
    if fn.params and fn.params[-1].variadic:
        return fn.params[-1]
    return None


def ordinal_index(fn: FunctionDef, index: int) -> int | None:
    """ES's ParamOrdinal: DEFAULT (no ordinal) for one-parameter functions."""
    if len(fn.params) == 1 and not fn.params[0].variadic:
        return None
    return index


def is_count_star(node: ast.Call, fn: FunctionDef) -> bool:
    """``COUNT(*)``. Elasticsearch's parser drops the ``*`` of any other function
    (``MIN(*)`` is ``MIN()``, an arity error; ``PI(*)`` is ``PI()``)."""
    return node.star and fn.name == "count"


def check_arity(node: ast.Call) -> None:
    """Raise Elasticsearch's ``parsing_exception`` for a wrong argument count. It
    happens when functions are resolved, before any verification."""
    fn = lookup(node.name)
    if fn is None or is_count_star(node, fn):
        return
    reason = arity_message(fn, len(node.args))
    if reason is not None:
        raise ParsingError(
            node.source.line, node.source.column, f"error building [{fn.name}]: {reason}"
        )


# ------------------------------------------------------------------ resolver


@dataclass
class ExpressionResolver:
    """Resolves expressions of one command. ``problems`` receives every problem."""

    params: ParamValues
    problems: list[Problem]
    anonymous_params: list[int] = field(default_factory=lambda: [0])
    # The constants of the scope being resolved against (see Scope.constants).
    constants: dict[str, TExpr] = field(default_factory=dict)

    # ------------------------------------------------------------- entry

    def resolve(self, node: ast.Expr, scope: Scope) -> TExpr | None:
        self.constants = scope.constants
        return self._resolve(node, scope)

    def _resolve(self, node: ast.Expr, scope: Scope) -> TExpr | None:
        method: Callable[[ast.Expr, Scope], TExpr | None] = getattr(
            self, "_" + type(node).__name__.lower()
        )
        return method(node, scope)

    def fail(self, source: ast.Source, message: str) -> None:
        self.problems.append(problem_at(source, message))

    # ----------------------------------------------------------- leaves

    def _literal(self, node: ast.Literal, scope: Scope) -> TExpr | None:
        return self.literal_value(node)

    def literal_value(self, node: ast.Literal) -> Lit:
        value = node.value
        if node.kind == "integer":
            typed, t = literals.integer_literal(int(value))  # type: ignore[call-overload]
            return Lit(typed, t, node.source)
        if node.kind == "decimal":
            return Lit(float(value), T.DOUBLE, node.source)  # type: ignore[arg-type]
        if node.kind == "string":
            return Lit(value, T.KEYWORD, node.source)
        if node.kind == "boolean":
            return Lit(bool(value), T.BOOLEAN, node.source)
        return Lit(None, T.NULL, node.source)

    def _listliteral(self, node: ast.ListLiteral, scope: Scope) -> TExpr | None:
        items = [self.literal_value(i) if isinstance(i, ast.Literal) else None for i in node.items]
        lits = [i for i in items if i is not None]
        common = literals.common_list_type([i.type for i in lits])
        if common is None:
            types = ", ".join(sorted({messages.type_name(i.type) for i in lits}))
            self.fail(node.source, f"list literal mixes incompatible types [{types}]")
            return None
        values = [i.value for i in lits]
        if common in NUMERIC:
            values = [literals.convert_number(v, common) for v in values]
        return Lit(values if values else None, common, node.source)

    def _timespan(self, node: ast.TimeSpan, scope: Scope) -> TExpr | None:
        try:
            amount, t = literals.time_span(node.value, node.unit)
        except literals.TemporalUnitError as e:
            raise ParsingError(node.source.line, node.source.column, str(e)) from None
        return Lit(amount, t, node.source)

    def _param(self, node: ast.Param, scope: Scope) -> TExpr | None:
        value = self.param_value(node)
        typed, t = literals.param_literal(value)
        return Lit(typed, t, node.source)

    def param_value(self, node: ast.Param) -> object:
        """The value bound to ``?``, ``?n`` or ``?name``; ParsingError as
        Elasticsearch words a missing one."""
        values, names = self.params.values, self.params.names
        if node.kind == "named":
            name = node.name or ""
            if name in names:
                return values[names.index(name)]
            suggestion = ""
            similar = messages.find_similar(name, names)
            if similar:
                suggestion = ", did you mean " + (
                    f"[{similar[0]}]?" if len(similar) == 1 else f"any of [{', '.join(similar)}]?"
                )
            raise ParsingError(
                node.source.line,
                node.source.column,
                f"Unknown query parameter [{name}]{suggestion}",
            )
        if node.kind == "anonymous":
            index = node.index if node.index is not None else self.anonymous_params[0] + 1
            self.anonymous_params[0] = index
        else:
            index = node.index or 0
        if 1 <= index <= len(values):
            return values[index - 1]
        count = len(values)
        hint = ""
        if count > 0:
            hint = ", did you mean " + (
                "position 1?" if count == 1 else f"any position between 1 and {count}?"
            )
        raise ParsingError(
            node.source.line,
            node.source.column,
            f"No parameter is defined for position {index}{hint}",
        )

    def _fieldref(self, node: ast.FieldRef, scope: Scope) -> TExpr | None:
        attr = scope.get(node.name)
        if attr is None:
            self.fail(node.source, messages.unknown_column(node.name, scope.names()))
            return None
        if attr.type is T.UNSUPPORTED:
            self.fail(node.source, scope.unusable_message(node.name))
            return None
        return Ref(attr.name, attr.type, node.source)

    # ------------------------------------------------------------ operators

    def _unary(self, node: ast.Unary, scope: Scope) -> TExpr | None:
        if node.op == "-" and isinstance(node.operand, ast.Literal):
            folded = self._negated_literal(node)
            if folded is not None:
                return folded
        operand = self._resolve(node.operand, scope)
        if operand is None:
            return None
        if node.op == "+":
            return operand
        return self.call("neg" if node.op == "-" else "not", [operand], node.source)

    def _negated_literal(self, node: ast.Unary) -> Lit | None:
        """``-5`` is a negative literal in Elasticsearch's grammar, typed by its value."""
        lit = node.operand
        assert isinstance(lit, ast.Literal)
        if lit.kind == "integer":
            typed, t = literals.integer_literal(-int(lit.value))  # type: ignore[call-overload]
            if t is T.UNSIGNED_LONG:
                return None
            return Lit(typed, t, node.source)
        if lit.kind == "decimal":
            return Lit(-float(lit.value), T.DOUBLE, node.source)  # type: ignore[arg-type]
        return None

    def _binary(self, node: ast.Binary, scope: Scope) -> TExpr | None:
        left = self._resolve(node.left, scope)
        right = self._resolve(node.right, scope)
        if left is None or right is None:
            return None
        name = OPERATORS[node.op]
        if name in ARITHMETIC or name in COMPARISONS:
            left, right = self._cast_binary_operands(name, left, right)
            if left is None or right is None:
                return None
        return self.call(name, [left, right], node.source)

    def _isnull(self, node: ast.IsNull, scope: Scope) -> TExpr | None:
        operand = self._resolve(node.operand, scope)
        if operand is None:
            return None
        return self.call("is_not_null" if node.negated else "is_null", [operand], node.source)

    def _in(self, node: ast.In, scope: Scope) -> TExpr | None:
        operand = self._resolve(node.operand, scope)
        items = [self._resolve(i, scope) for i in node.items]
        if operand is None or any(i is None for i in items):
            return None
        resolved = [i for i in items if i is not None]
        if operand.type in STRING_CASTABLE:
            cast = [
                self._cast_string(i, operand.type) if _castable_string(i) else i for i in resolved
            ]
            if any(i is None for i in cast):
                return None
            resolved = [i for i in cast if i is not None]
        call = self.call("in", [operand, *resolved], node.source)
        if call is None or not node.negated:
            return call
        return FnCall("not", (call,), T.BOOLEAN, source=node.source)

    def _like(self, node: ast.Like, scope: Scope) -> TExpr | None:
        operand = self._resolve(node.operand, scope)
        patterns = [self._resolve(p, scope) for p in node.patterns]
        if operand is None or any(p is None for p in patterns):
            return None
        args = [operand, *(p for p in patterns if p is not None)]
        call = self.call("rlike" if node.regex else "like", args, node.source)
        if call is None or not node.negated:
            return call
        return FnCall("not", (call,), T.BOOLEAN, source=node.source)

    def _cast(self, node: ast.Cast, scope: Scope) -> TExpr | None:
        operand = self._resolve(node.operand, scope)
        if operand is None:
            return None
        target = CAST_NAMES.get(node.type_name.lower())
        if target is None:
            raise ParsingError(
                node.source.line,
                node.source.column,
                f"Unsupported conversion to type [{node.type_name}]",
            )
        return self.call(CONVERSION_FUNCTIONS[target], [operand], node.source, fallback=target)

    def _match(self, node: ast.Match, scope: Scope) -> TExpr | None:
        field_ = self._resolve(node.field, scope)
        query = self._resolve(node.query, scope)
        if field_ is None or query is None:
            return None
        return self.call("match", [field_, query], node.source, fallback=T.BOOLEAN)

    # ------------------------------------------------------------ functions

    def _call(self, node: ast.Call, scope: Scope) -> TExpr | None:
        args = [self._resolve(a, scope) for a in node.args]
        if any(a is None for a in args):
            return None
        fn = lookup(node.name)
        if fn is None:
            self.fail(node.source, self._unknown_function(node.name))
            return None
        if is_count_star(node, fn):
            return FnCall(fn.name, (), fn.return_type(()), star=True, source=node.source)
        resolved = [a for a in args if a is not None]
        if fn.kind in ("scalar", "grouping"):
            cast = self._cast_function_args(fn, resolved)
            if cast is None:
                return None
            resolved = cast
        return self.call(fn.name, resolved, node.source)

    def _unknown_function(self, name: str) -> str:
        names: list[str] = []
        for key, fn in all_functions().items():
            if fn.kind != "operator" and key not in names:
                names.append(key)
        similar = messages.find_similar(name.lower(), names)
        return f"Unknown function [{name}]" + messages.did_you_mean(similar)

    def call(
        self,
        name: str,
        args: Sequence[TExpr],
        source: ast.Source,
        *,
        fallback: DataType | None = None,
    ) -> FnCall | None:
        """Type-check a call of registry function ``name`` and build it. ``fallback``
        types calls of functions not (yet) declared in the registry."""
        fn = lookup(name)
        if fn is None:
            if fallback is None:
                raise KeyError(f"function [{name}] is not declared in the registry")
            return FnCall(name, tuple(args), fallback, source=source)
        if fn.name in MIXED_NUMERIC_FUNCTIONS:
            args = self._cast_mixed_numerics(list(args))
        args = self._inline_constants(fn, args)
        message = self._type_problem(fn, args, source.text)
        if message is not None:
            self.fail(source, message)
            return None
        types = [a.type for a in args]
        if fn.name in TEMPORAL_CONVERSIONS and isinstance(args[0], Lit):
            return self._fold_temporal(fn.name, args[0], source)  # type: ignore[return-value]
        return FnCall(fn.name, tuple(args), fn.return_type(types), source=source)

    def _fold_temporal(self, name: str, arg: Lit, source: ast.Source) -> Lit | None:
        """TO_DATEPERIOD / TO_TIMEDURATION only take constants (FoldablesConvertFunction):
        fold them here, so the engine never sees a temporal amount to compute."""
        target = TEMPORAL_CONVERSIONS[name]
        if arg.type is target or arg.value is None:
            return Lit(arg.value, target, source)
        text = str(arg.value)
        try:
            parsed = literals.parse_temporal_string(text)
        except literals.TemporalUnitError as e:
            parsed, reason = None, str(e)
        else:
            reason = f"Unexpected temporal unit: '{text}'"
        if parsed is None or parsed[1] is not target:
            self.fail(
                arg.source,
                f"Cannot convert string [{text}] to [{messages.enum_name(target)}], error [{reason}]",
            )
            return None
        return Lit(parsed[0], target, source)

    def _inline_constants(self, fn: FunctionDef, args: Sequence[TExpr]) -> list[TExpr]:
        """A column set to a constant stands for that constant where a parameter must
        be one (``EVAL start = "2020-01-01" | STATS BY BUCKET(d, 5, start, end)``)."""
        out = list(args)
        for i, arg in enumerate(args):
            param = param_for(fn, i)
            if param is not None and param.constant and isinstance(arg, Ref):
                constant = self.constants.get(arg.name)
                if constant is not None:
                    out[i] = constant
        return out

    def _type_problem(self, fn: FunctionDef, args: Sequence[TExpr], text: str) -> str | None:
        """Elasticsearch's TypeResolutions wording for the first bad argument, then the
        function's own check."""
        for i, arg in enumerate(args):
            param = param_for(fn, i)
            if param is None:
                continue
            ordinal = messages.ordinal_prefix(ordinal_index(fn, i))
            if arg.type is not T.NULL and arg.type not in param.types:
                expected = param.expected or ", ".join(
                    sorted(messages.type_name(t) for t in param.types)
                )
                return (
                    f"{ordinal}argument of [{text}] must be [{expected}], "
                    f"found value [{name_of(arg)}] type [{messages.type_name(arg.type)}]"
                )
            if param.constant and not is_foldable(arg):
                return (
                    f"{ordinal}argument of [{text}] must be a constant, received [{name_of(arg)}]"
                )
        if fn.check is not None:
            return fn.check([a.type for a in args], [name_of(a) for a in args], text)
        return None

    # ------------------------------------------------------- implicit casts

    def _cast_binary_operands(
        self, name: str, left: TExpr, right: TExpr
    ) -> tuple[TExpr | None, TExpr | None]:
        """ImplicitCasting.processBinaryOperator: a string literal beside a date, ip,
        version or boolean takes that type; beside a temporal amount in date
        arithmetic it is a datetime."""
        target: DataType | None = None
        side = ""
        if _castable_string(left):
            if right.type in STRING_CASTABLE:
                target, side = right.type, "left"
            elif right.type in TEMPORAL_AMOUNT and name in DATE_ARITHMETIC:
                target, side = T.DATETIME, "left"
        if _castable_string(right):
            if left.type in STRING_CASTABLE:
                target, side = left.type, "right"
            elif left.type in TEMPORAL_AMOUNT and name in DATE_ARITHMETIC:
                target, side = T.DATETIME, "right"
        if target is None:
            return left, right
        if side == "left":
            return self._cast_string(left, target), right
        return left, self._cast_string(right, target)

    def _cast_function_args(self, fn: FunctionDef, args: list[TExpr]) -> list[TExpr] | None:
        """ImplicitCasting.processScalarOrGroupingFunction: string literals passed to a
        parameter that takes no strings are converted to the parameter's type. The
        target of the last parameter carries over to extra (variadic) arguments."""
        out: list[TExpr] = []
        target: DataType | None = None
        failed = False
        for i, arg in enumerate(args):
            if i < len(fn.params):
                target = cast_target(fn.params[i])
            if target is not None and _castable_string(arg):
                cast = self._cast_string(arg, target)
                if cast is None:
                    failed = True
                    continue
                arg = cast
            out.append(arg)
        return None if failed else out

    def _cast_string(self, lit: TExpr, target: DataType) -> TExpr | None:
        """ImplicitCasting.castStringLiteral."""
        assert isinstance(lit, Lit)
        text = str(lit.value)
        if target in TEMPORAL_AMOUNT:
            return self._cast_temporal_amount(lit, text)
        if target in literals.ANALYSIS_TIME_TARGETS:
            try:
                value = literals.convert_string(text, target)
            except literals.ConversionError as e:
                self.fail(
                    lit.source,
                    f"Cannot convert string [{text}] to [{messages.enum_name(target)}], error [{e}]",
                )
                return None
            return Lit(value, target, lit.source)
        return self.call(CONVERSION_FUNCTIONS[target], [lit], lit.source, fallback=target)

    def _cast_temporal_amount(self, lit: Lit, text: str) -> TExpr | None:
        try:
            parsed = literals.parse_temporal_string(text)
        except literals.TemporalUnitError as e:
            self.fail(
                lit.source,
                f"Cannot convert string [{text}] to [DATE_PERIOD or TIME_DURATION], error [{e}]",
            )
            return None
        if parsed is None:
            return lit
        return Lit(parsed[0], parsed[1], lit.source)

    def _cast_mixed_numerics(self, args: list[TExpr]) -> list[TExpr]:
        """ImplicitCasting.castMixedNumericTypes for COALESCE, CASE, GREATEST, LEAST:
        numeric arguments take the first numeric argument's type when every other
        numeric type widens to it."""
        numeric = [a.type for a in args if a.type in NUMERIC]
        if not numeric:
            return args
        target = numeric[0]
        if any(literals_widen(t, target) is not target for t in numeric):
            return args
        out: list[TExpr] = []
        for a in args:
            if a.type in NUMERIC and a.type is not target:
                a = FnCall(CONVERSION_FUNCTIONS[target], (a,), target, source=a.source)
            out.append(a)
        return out


def literals_widen(a: DataType, b: DataType) -> DataType:
    """``EsqlDataTypeConverter.commonType`` for two numeric types."""
    for t in (T.DOUBLE, T.UNSIGNED_LONG, T.LONG, T.INTEGER):
        if t in (a, b):
            return t
    return a


def _castable_string(e: TExpr) -> bool:
    """A foldable keyword that is not itself a function: a string literal or param."""
    return isinstance(e, Lit) and e.type is T.KEYWORD and isinstance(e.value, str)
