"""The analyzer: an ES|QL AST and a catalog in, the typed logical plan out.

``analyze`` resolves names and types command by command and verifies the query as
Elasticsearch's Analyzer and Verifier do, with their messages:

1. Before anything, function arities and parameters are checked; these are
   ``parsing_exception``s in Elasticsearch and raised at once.
2. Resolution problems (unknown index, column or function, argument types …) are
   collected for the first command that has any; later commands are not analysed
   (Elasticsearch skips nodes whose input did not resolve).
3. If everything resolved, the remaining checks (WHERE needs a boolean, STATS
   shapes, aggregates outside STATS, sortable types …) are collected for every
   command, reported from the last command to the first as Elasticsearch walks
   the plan top-down.

Problems raise ``VerificationError``. Warnings Elasticsearch adds while planning
(the default LIMIT, STATS names shadowing each other, a SORT lost by a LOOKUP JOIN)
go to ``Plan.warnings``. A final ``LimitNode`` is always appended: the default 1000
when the query has no LIMIT, the 10000 cap otherwise.

Commands are handled by small methods of ``_Analysis`` (one per command, named
after the AST class); STATS is in ``stats.py`` and KEEP/DROP/RENAME in
``projections.py``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from esqlsh.analysis import literals, messages, sources
from esqlsh.analysis.expressions import (
    ExpressionResolver,
    ParamValues,
    Scope,
    check_arity,
    is_aggregate,
    is_grouping,
    merge_output,
    problem_at,
    walk,
)
from esqlsh.analysis.locate import locate, locate_after, locate_list
from esqlsh.analysis.settings import QuerySettings, TimeZone, query_settings
from esqlsh.analysis.types import SPATIAL, STRING, TEMPORAL_AMOUNT, DataType
from esqlsh.clusters.base import Catalog
from esqlsh.errors import ParsingError, Problem, VerificationError
from esqlsh.plan.logical import (
    Aggregate,
    Attribute,
    DissectNode,
    EnrichNode,
    EvalNode,
    Filter,
    FnCall,
    GrokNode,
    InlineStatsNode,
    JoinCondition,
    LimitNode,
    Lit,
    LookupJoinNode,
    MvExpandNode,
    OrderBy,
    Plan,
    PlanNode,
    Project,
    Ref,
    Relation,
    RowSource,
    SampleNode,
    ShowInfoSource,
    SortKey,
    TemporalAmount,
    TExpr,
)
from esqlsh.syntax import ast
from esqlsh.syntax.parser import join_comparison

if TYPE_CHECKING:
    from esqlsh.analysis.grok import GrokSpec

T = DataType

DEFAULT_LIMIT = 1000  # esql.query.result_truncation_default_size
MAX_LIMIT = 10000  # esql.query.result_truncation_max_size
DEFAULT_LIMIT_WARNING = f"No limit defined, adding default limit of [{DEFAULT_LIMIT}]"
LOST_SORT_WARNING = (
    "Line {line}:{column}: SORT is followed by a LOOKUP JOIN which does not preserve order; "
    "add another SORT after the LOOKUP JOIN if order is required"
)

ENRICH_MODES = ("_any", "_coordinator", "_remote")
# Analyzer.ResolveRefs.allowedEnrichTypes, as Elasticsearch prints them.
ENRICH_TYPES = (T.KEYWORD, T.TEXT, T.IP, T.LONG, T.INTEGER, T.DOUBLE, T.DATETIME)
ENRICH_TYPE_NAMES = "keyword, text, ip, long, integer, float, double, datetime"
GEO_ENRICH_TYPES = (T.GEO_POINT, T.GEO_SHAPE)
UNSORTABLE = SPATIAL | {T.SOURCE, T.COUNTER_LONG, T.COUNTER_INTEGER, T.COUNTER_DOUBLE}


def default_limit_warning(limit: int) -> str:
    return f"No limit defined, adding default limit of [{limit}]"


def analyze(
    query: ast.Query,
    catalog: Catalog,
    params: list[object] | dict[str, object] | None = None,
    *,
    default_limit: int | None = DEFAULT_LIMIT,
) -> Plan:
    """The typed plan of ``query`` over ``catalog``; ``params`` bind ``?``, ``?1``
    (a list) or ``?name`` (a dict). Raises VerificationError or ParsingError.

    ``default_limit`` is the implicit LIMIT of a query without one (with its
    warning); None adds no implicit LIMIT at all, neither that one nor the
    ``MAX_LIMIT`` cap: a cross-cluster fragment is bounded by what it says only."""
    values = ParamValues.of(params)
    settings = query_settings(query.settings, _setting_resolver(values))
    nullified: list[str] = []
    while True:
        analysis = _Analysis(catalog, values, default_limit, settings, tuple(nullified))
        try:
            return analysis.run(query)
        except VerificationError as e:
            unknown = [n for n in _unknown_columns(e) if n not in nullified]
            if not settings.nullify or not unknown:
                raise
            # SET unmapped_fields="nullify": Elasticsearch's ResolveUnmapped adds
            # every name it could not resolve to the source, as a null column
            nullified.extend(unknown)


def _setting_resolver(values: ParamValues) -> Callable[[ast.Expr], TExpr | None]:
    resolver = ExpressionResolver(values, [])
    return lambda expr: resolver.resolve(expr, Scope([]))


_UNKNOWN_COLUMN = re.compile(r"Unknown column \[(.+?)\](?:, did you mean (?:any of )?\[.*\]\?)?")


def _unknown_columns(error: VerificationError) -> list[str]:
    """The names of the unknown columns a failed analysis reported."""
    names: list[str] = []
    for problem in error.problems:
        match = _UNKNOWN_COLUMN.fullmatch(problem.message)
        if match is not None and match.group(1) not in names:
            names.append(match.group(1))
    return names


class _Analysis:
    def __init__(
        self,
        catalog: Catalog,
        params: ParamValues,
        default_limit: int | None = DEFAULT_LIMIT,
        settings: QuerySettings | None = None,
        nullified: tuple[str, ...] = (),
    ):
        self.catalog = catalog
        self.default_limit = default_limit
        self.settings = settings or QuerySettings()
        self.nullified = nullified
        self.problems: list[Problem] = []
        self.resolver = ExpressionResolver(params, self.problems)
        self.late: list[list[Problem]] = []
        self.warnings: list[str] = []
        self.nodes: list[PlanNode] = []
        self.scope = Scope([])
        self.has_limit = False

    # -------------------------------------------------------------- driver

    def run(self, query: ast.Query) -> Plan:
        self._prepass(query)
        for command in query.commands:
            before = len(self.problems)
            late: list[Problem] = []
            handler = getattr(self, "_" + type(command).__name__.lower())
            handler(command, late)
            self.late.append(late)
            if len(self.problems) > before:
                break
        if self.problems:
            raise VerificationError(self.problems)
        late_problems = list(dict.fromkeys(p for group in reversed(self.late) for p in group))
        if late_problems:
            raise VerificationError(late_problems)
        return self._finish()

    def _finish(self) -> Plan:
        warnings: list[str] = []
        limit: int | None = None
        if self.default_limit is None:
            pass  # a fragment: no implicit limit, no warning
        elif self.has_limit:
            limit = MAX_LIMIT
        else:
            limit = self.default_limit
            warnings.append(default_limit_warning(limit))
        warnings.extend(self.warnings)
        warnings.extend(self._lost_sort_warnings())
        if limit is not None:
            self.nodes.append(LimitNode(limit, tuple(self.scope.attrs)))
        nodes = tuple(self.nodes)
        if self.settings.time_zone.offset_millis != 0:
            nodes = tuple(_in_time_zone(n, self.settings.time_zone) for n in nodes)  # type: ignore[misc]
        return Plan(nodes, tuple(warnings))

    def _lost_sort_warnings(self) -> list[str]:
        """``WarnLostSortOrder``: the first SORT below a LOOKUP JOIN loses its order
        (a SORT under STATS is dropped by the optimizer and never warns)."""
        seen_join = False
        for node in reversed(self.nodes):
            if isinstance(node, LookupJoinNode):
                seen_join = True
            elif isinstance(node, Aggregate):
                return []
            elif isinstance(node, OrderBy):
                if not seen_join:
                    return []
                return [LOST_SORT_WARNING.format(line=node.source.line, column=node.source.column)]
        return []

    def _prepass(self, query: ast.Query) -> None:
        """Parsing-time errors Elasticsearch raises before analysing anything:
        function arities, temporal units and missing parameters (the latter all
        reported together, joined with ``; ``)."""
        param_errors: list[ParsingError] = []
        for node in ast.walk(query):
            if isinstance(node, ast.Call):
                check_arity(node)
            elif isinstance(node, ast.TimeSpan):
                try:
                    literals.time_span(node.value, node.unit)
                except literals.TemporalUnitError as e:
                    raise ParsingError(node.source.line, node.source.column, str(e)) from None
            elif isinstance(node, ast.Param):
                try:
                    self.resolver.param_value(node)
                except ParsingError as e:
                    param_errors.append(e)
        self.resolver.anonymous_params[0] = 0  # resolution numbers ``?`` again
        if param_errors:
            first = param_errors[0]
            rest = "".join(f"; {e.reason}" for e in param_errors[1:])
            raise ParsingError(first.line or 1, first.column or 1, first.message + rest)

    # -------------------------------------------------------------- helpers

    def fail(self, source: ast.Source, message: str) -> None:
        self.problems.append(problem_at(source, message))

    def resolve(self, expr: ast.Expr, scope: Scope | None = None) -> TExpr | None:
        return self.resolver.resolve(expr, scope if scope is not None else self.scope)

    def set_schema(
        self,
        attrs: Sequence[Attribute],
        unusable: dict[str, str] | None = None,
        redefined: Sequence[str] = (),
    ) -> None:
        """The new input columns; ``unusable`` replaces what is known of them (a new
        source), otherwise knowledge of the columns kept and not ``redefined`` stays."""
        if unusable is None:
            self.scope = self.scope.with_attrs(attrs, redefined)
        else:
            self.scope = Scope(list(attrs), dict(unusable))

    def emit(self, node: PlanNode) -> None:
        self.nodes.append(node)

    def schema(self) -> tuple[Attribute, ...]:
        return tuple(self.scope.attrs)

    @staticmethod
    def outside_stats(exprs: Sequence[TExpr], late: list[Problem]) -> None:
        """Aggregate and grouping functions are only allowed in STATS."""
        for expr in exprs:
            for e in walk(expr):
                if is_aggregate(e):
                    late.append(
                        problem_at(
                            e.source,
                            f"aggregate function [{e.source.text}] not allowed outside STATS command",
                        )
                    )
                elif is_grouping(e):
                    late.append(
                        problem_at(
                            e.source,
                            f"cannot use grouping function [{e.source.text}] outside of a STATS command",
                        )
                    )

    # ------------------------------------------------------ source commands

    def _from(self, cmd: ast.From, late: list[Problem]) -> None:
        resolved = sources.resolve_from(cmd.patterns, self.catalog)
        if not resolved.indices and resolved.searched:
            self.fail(cmd.source, f"Unknown index [{resolved.pattern}]")
            return
        attrs = list(resolved.attrs)
        for name in cmd.metadata:
            t = sources.METADATA_TYPES.get(name)
            if t is None:
                raise ParsingError(
                    cmd.source.line, cmd.source.column, f"unsupported metadata field [{name}]"
                )
            attrs = [a for a in attrs if a.name != name]
            attrs.append(Attribute(name, t))
        if not resolved.searched and not attrs:
            attrs = [Attribute(sources.NO_FIELDS, T.NULL)]
        self.set_schema(attrs, resolved.unusable)
        self.emit(
            Relation(
                resolved.pattern,
                resolved.indices,
                self.schema(),
                None,
                tuple(cmd.metadata),
                cmd.source,
            )
        )
        nulls = self._nullified_fields()
        if nulls:
            self.set_schema([*self.scope.attrs, *(Attribute(n, T.NULL) for n, _ in nulls)])
            self.emit(EvalNode(tuple(nulls), self.schema(), cmd.source))

    def _nullified_fields(self) -> list[tuple[str, TExpr]]:
        """``SET unmapped_fields="nullify"``: the names nothing defines, as null
        columns at the end of the source's output."""
        present = set(self.scope.names())
        return [(n, Lit(None, T.NULL)) for n in self.nullified if n not in present]

    def _row(self, cmd: ast.Row, late: list[Problem]) -> None:
        empty = Scope([])
        fields: list[tuple[str, TExpr]] = []
        for assignment in cmd.fields:
            value = self.resolve(assignment.expr, empty)
            if value is None:
                continue
            if value.type in TEMPORAL_AMOUNT:
                late.append(
                    problem_at(
                        assignment.expr.source,
                        f"cannot use [{assignment.expr.source.text}] directly in a row assignment",
                    )
                )
            fields.append((_field_name(assignment), value))
        self.outside_stats([v for _, v in fields], late)
        names = {n for n, _ in fields}
        fields += [(n, Lit(None, T.NULL)) for n in self.nullified if n not in names]
        # Elasticsearch keeps every ROW field, duplicate names included
        # (row.csv-spec evalRowWithNull2 returns two ``null`` columns).
        self.set_schema([Attribute(n, v.type) for n, v in fields], {})
        self.scope.constants = {n: v for n, v in fields}
        self.emit(RowSource(tuple(fields), self.schema(), cmd.source))

    def _showinfo(self, cmd: ast.ShowInfo, late: list[Problem]) -> None:
        self.set_schema([Attribute(n, T.KEYWORD) for n in ("version", "date", "hash")], {})
        self.emit(ShowInfoSource(self.schema(), cmd.source))

    # -------------------------------------------------- processing commands

    def _where(self, cmd: ast.Where, late: list[Problem]) -> None:
        condition = self.resolve(cmd.condition)
        if condition is None:
            return
        check_condition(condition, late)
        self.outside_stats([condition], late)
        self.emit(Filter(condition, self.schema(), cmd.source))

    def _eval(self, cmd: ast.Eval, late: list[Problem]) -> None:
        scope = self.scope.copy()
        fields: list[tuple[str, TExpr]] = []
        for assignment in cmd.fields:
            value = self.resolve(assignment.expr, scope)
            if value is None:
                continue
            name = _field_name(assignment)
            if value.type in TEMPORAL_AMOUNT:
                late.append(
                    problem_at(
                        assignment.source,
                        f"EVAL does not support type [{messages.type_name(value.type)}] as the "
                        f"return data type of expression [{assignment.expr.source.text}]",
                    )
                )
            fields.append((name, value))
            scope.define(name, value)
        self.outside_stats([v for _, v in fields], late)
        attrs = merge_output([Attribute(n, v.type) for n, v in fields], self.scope.attrs)
        self.scope = scope.with_attrs(attrs)
        self.emit(EvalNode(tuple(fields), self.schema(), cmd.source))

    # STATS and KEEP/DROP/RENAME are analysed in modules of their own, imported by
    # the first query that has such a command.

    def _stats(self, cmd: ast.Stats, late: list[Problem]) -> None:
        from esqlsh.analysis.stats import analyze_stats

        result = analyze_stats(cmd, self.scope, self.resolver, late)
        if result is None:
            return
        self.warnings.extend(result.warnings)
        for node in result.nodes:
            self.emit(node)
        self.set_schema(result.nodes[-1].schema, {})

    def _inlinestats(self, cmd: ast.InlineStats, late: list[Problem]) -> None:
        """INLINE STATS (after 9.1): the STATS, appended to the input columns
        (``InlineStats.output``: the input's columns not redefined, then the
        aggregates, then the groups)."""
        from esqlsh.analysis.stats import analyze_stats

        stats = ast.Stats(cmd.aggs, cmd.groups, cmd.source)
        result = analyze_stats(stats, self.scope, self.resolver, late)
        if result is None:
            return
        self.warnings.extend(result.warnings)
        added = result.nodes[-1].schema
        attrs = merge_output(added, self.scope.attrs)
        self.set_schema(attrs, redefined=[a.name for a in added])
        self.emit(InlineStatsNode(tuple(result.nodes), self.schema(), cmd.source))

    def _keep(self, cmd: ast.Keep, late: list[Problem]) -> None:
        from esqlsh.analysis.projections import keep

        self._project(keep(cmd, self.scope, self.problems), cmd)

    def _drop(self, cmd: ast.Drop, late: list[Problem]) -> None:
        from esqlsh.analysis.projections import drop

        self._project(drop(cmd, self.scope, self.problems), cmd)

    def _rename(self, cmd: ast.Rename, late: list[Problem]) -> None:
        from esqlsh.analysis.projections import rename

        self._project(rename(cmd, self.scope, self.problems), cmd)

    def _project(self, node: PlanNode | None, cmd: ast.Command) -> None:
        if node is None:
            return
        assert isinstance(node, Project)
        before = self.scope
        self.set_schema(node.schema, {})
        for out, src in node.columns:
            if src in before.unusable:
                self.scope.unusable[out] = before.unusable[src]
            if src in before.constants:
                self.scope.constants[out] = before.constants[src]
        self.emit(node)

    def _sort(self, cmd: ast.Sort, late: list[Problem]) -> None:
        keys: list[SortKey] = []
        for order in cmd.orders:
            expr = self.resolve(order.expr)
            if expr is None:
                continue
            if expr.type in UNSORTABLE:
                late.append(
                    problem_at(order.expr.source, f"cannot sort on {messages.type_name(expr.type)}")
                )
            nulls_first = (not order.ascending) if order.nulls_first is None else order.nulls_first
            keys.append(SortKey(expr, order.ascending, nulls_first))
        self.outside_stats([k.expr for k in keys], late)
        if len(keys) == len(cmd.orders):
            self.emit(OrderBy(tuple(keys), self.schema(), cmd.source))

    def _limit(self, cmd: ast.Limit, late: list[Problem]) -> None:
        self.has_limit = True
        self.emit(LimitNode(cmd.count, self.schema(), cmd.source))

    def _sample(self, cmd: ast.Sample, late: list[Problem]) -> None:
        self.emit(SampleNode(cmd.probability, self.schema(), cmd.source))

    def _mvexpand(self, cmd: ast.MvExpand, late: list[Problem]) -> None:
        source = locate_after(cmd.source, cmd.field, 1)
        if self.resolve(ast.FieldRef(cmd.field, source)) is None:
            return
        self.emit(MvExpandNode(cmd.field, self.schema(), cmd.source))

    # --------------------------------------------------------- extraction

    def _dissect(self, cmd: ast.Dissect, late: list[Problem]) -> None:
        # Imported here: its patterns compile at import, and few queries DISSECT.
        from esqlsh.analysis.dissect import DissectError, parse_dissect

        try:
            spec = parse_dissect(cmd.pattern)
        except DissectError:
            raise ParsingError(
                cmd.source.line, cmd.source.column, f"Invalid pattern for dissect: [{cmd.pattern}]"
            ) from None
        if spec.reference_keys:
            raise ParsingError(
                cmd.source.line,
                cmd.source.column,
                f"Reference keys not supported in dissect patterns: [%{{*{spec.reference_keys[0]}}}]",
            )
        operand = self.resolve(cmd.operand)
        if operand is None:
            return
        check_string_input("Dissect", cmd.operand, operand, late)
        self.outside_stats([operand], late)
        keys = [Attribute(k, T.KEYWORD) for k in spec.output_keys]
        self.set_schema(merge_output(keys, self.scope.attrs), redefined=spec.output_keys)
        self.emit(
            DissectNode(
                operand,
                cmd.pattern,
                spec.output_keys,
                cmd.append_separator or "",
                self.schema(),
                cmd.source,
            )
        )

    def _grok(self, cmd: ast.Grok, late: list[Problem]) -> None:
        spec = _grok_spec(cmd)
        operand = self.resolve(cmd.operand)
        if operand is None:
            return
        check_string_input("Grok", cmd.operand, operand, late)
        self.outside_stats([operand], late)
        self.set_schema(
            merge_output(spec.fields, self.scope.attrs), redefined=[a.name for a in spec.fields]
        )
        self.emit(
            GrokNode(operand, spec.pattern, spec.regex, spec.fields, self.schema(), cmd.source)
        )

    # --------------------------------------------------------------- enrich

    def _enrich(self, cmd: ast.Enrich, late: list[Problem]) -> None:
        mode = enrich_mode(cmd)
        policy_source = locate(cmd.source, cmd.policy)
        policies = self.catalog.policies()
        policy = policies.get(cmd.policy)
        if policy is None:
            similar = messages.find_similar(cmd.policy, list(policies))
            self.fail(
                policy_source,
                f"cannot find enrich policy [{cmd.policy}]" + messages.did_you_mean(similar),
            )
            return
        match_name = cmd.on or policy.match_field
        on_source = (
            locate_after(cmd.source, cmd.on, cmd.source.text.upper().find(" ON "))
            if cmd.on
            else cmd.source
        )
        match = self.resolve(ast.FieldRef(match_name, on_source))
        if match is None:
            return
        allowed = GEO_ENRICH_TYPES if policy.type == "geo_match" else ENRICH_TYPES
        if match.type not in allowed and match.type is not T.NULL:
            names = "geo_point, geo_shape" if policy.type == "geo_match" else ENRICH_TYPE_NAMES
            self.fail(
                on_source,
                f"Unsupported type [{messages.type_name(match.type)}] for enrich matching field "
                f"[{match_name}]; only [{names}] allowed for type [{policy.type}]",
            )
            return
        enrich_types = self._enrich_field_types(policy.indices)
        fields = self._enrich_fields(cmd, policy.name, policy.enrich_fields, enrich_types)
        if fields is None:
            return
        self._check_remote_enrich(cmd, mode, late)
        attrs = [Attribute(out, t) for out, _, t in fields]
        self.set_schema(merge_output(attrs, self.scope.attrs), redefined=[a.name for a in attrs])
        self.emit(
            EnrichNode(
                policy.name,
                mode,
                policy.type,
                match,
                policy.match_field,
                tuple(fields),
                self.schema(),
                cmd.source,
            )
        )

    def _enrich_field_types(self, indices: Sequence[str]) -> dict[str, DataType]:
        names = self.catalog.resolve(",".join(indices)) if indices else []
        infos = [i for i in (self.catalog.index(n) for n in names) if i is not None]
        attrs, _ = sources.merge_fields(infos)
        return {a.name: a.type for a in attrs}

    def _enrich_fields(
        self,
        cmd: ast.Enrich,
        policy: str,
        enrich_fields: Sequence[str],
        types: dict[str, DataType],
    ) -> list[tuple[str, str, DataType]] | None:
        """The WITH clause (all the policy's enrich fields by default): (output name,
        enrich field, type). Types missing from the catalog default to keyword."""
        wanted = [(f.name or f.field, f.field) for f in cmd.with_fields] or [
            (f, f) for f in enrich_fields
        ]
        out: list[tuple[str, str, DataType]] = []
        ok = True
        for name, source_field in wanted:
            if source_field not in enrich_fields:
                similar = messages.find_similar(
                    source_field, messages.java_hash_set_order(enrich_fields)
                )
                self.fail(
                    cmd.source,
                    f"Enrich field [{source_field}] not found in enrich policy [{policy}]"
                    + messages.did_you_mean(similar),
                )
                ok = False
                continue
            out.append((name, source_field, types.get(source_field, T.KEYWORD)))
        return out if ok else None

    def _check_remote_enrich(self, cmd: ast.Enrich, mode: str, late: list[Problem]) -> None:
        """``Verifier.checkRemoteEnrich``."""
        if mode != "_remote":
            return
        if any(isinstance(n, Aggregate) for n in self.nodes):
            late.append(
                problem_at(cmd.source, "ENRICH with remote policy can't be executed after STATS")
            )
        if any(isinstance(n, EnrichNode) and n.mode == "_coordinator" for n in self.nodes):
            late.append(
                problem_at(
                    cmd.source,
                    "ENRICH with remote policy can't be executed after another ENRICH with coordinator policy",
                )
            )

    # ---------------------------------------------------------- lookup join

    def _lookupjoin(self, cmd: ast.LookupJoin, late: list[Problem]) -> None:
        index_source = locate_after(cmd.source, cmd.index, cmd.source.text.upper().find("JOIN"))
        names = self.catalog.resolve(cmd.index)
        infos = [i for i in (self.catalog.index(n) for n in names) if i is not None]
        if not infos:
            self.fail(index_source, f"Unknown index [{cmd.index}]")
            return
        if len(infos) != 1:
            self.fail(
                index_source,
                f"invalid [{cmd.index}] resolution in lookup mode to [{len(infos)}] indices",
            )
            return
        info = infos[0]
        if info.mode != "lookup":
            self.fail(
                index_source,
                f"invalid [{cmd.index}] resolution in lookup mode to an index in [{info.mode}] mode",
            )
            return
        right, _ = sources.merge_fields([info])
        right_scope = Scope(right)
        if cmd.condition is not None:
            self._expression_join(cmd, info.name, right, late)
            return
        on_start = cmd.source.text.upper().rfind(" ON ")
        key_sources = locate_list(cmd.source, cmd.on, on_start + 4)
        ok = True
        for key, key_source in zip(cmd.on, key_sources, strict=True):
            left_attr = self.scope.get(key)
            right_attr = right_scope.get(key)
            if left_attr is None:
                msg = messages.unknown_column(key, self.scope.names())
                self.fail(
                    key_source,
                    msg.replace(f"column [{key}]", f"column [{key}] in left side of join", 1),
                )
                ok = False
            if right_attr is None:
                msg = messages.unknown_column(key, right_scope.names())
                self.fail(
                    key_source,
                    msg.replace(f"column [{key}]", f"column [{key}] in right side of join", 1),
                )
                ok = False
            if left_attr and right_attr and not join_compatible(left_attr.type, right_attr.type):
                late.append(
                    problem_at(
                        key_source,
                        f"JOIN left field [{key}] of type [{messages.enum_name(left_attr.type)}] is incompatible "
                        f"with right field [{key}] of type [{messages.enum_name(right_attr.type)}]",
                    )
                )
        if not ok:
            return
        added = tuple(a for a in right if a.name not in cmd.on)
        self.set_schema(merge_output(added, self.scope.attrs), redefined=[a.name for a in added])
        self.emit(LookupJoinNode(info.name, tuple(cmd.on), added, self.schema(), cmd.source))

    def _expression_join(
        self, cmd: ast.LookupJoin, index: str, right: Sequence[Attribute], late: list[Problem]
    ) -> None:
        """``ON a == b [AND …]`` (after 9.1): each comparison relates an input field
        and a lookup field (in either order). Every lookup field is added, the join
        fields included."""
        assert cmd.condition is not None
        right_scope = Scope(list(right))
        conditions: list[JoinCondition] = []
        for part in _and_parts(cmd.condition):
            found = join_comparison(part)
            if found is None:
                self.fail(
                    part.source,
                    "LOOKUP JOIN ON conditions other than comparisons of an input field with "
                    f"a lookup field are not supported by esqlsh, found [{part.source.text}]",
                )
                continue
            condition = self._join_condition(part, *found, right_scope, late)
            if condition is not None:
                conditions.append(condition)
        if self.problems:
            return
        added = tuple(right)
        self.set_schema(merge_output(added, self.scope.attrs), redefined=[a.name for a in added])
        self.emit(LookupJoinNode(index, (), added, self.schema(), cmd.source, tuple(conditions)))

    def _join_condition(
        self,
        part: ast.Expr,
        first: ast.FieldRef,
        op: str,
        second: ast.FieldRef,
        right_scope: Scope,
        late: list[Problem],
    ) -> JoinCondition | None:
        """One comparison: which field is the input's and which the lookup index's
        (the written order when both could be)."""

        def sides(ref: ast.FieldRef) -> tuple[bool, bool]:
            return self.scope.get(ref.name) is not None, right_scope.get(ref.name) is not None

        (first_left, first_right), (second_left, second_right) = sides(first), sides(second)
        if first_left and second_right:
            left, right = first, second
        elif first_right and second_left:
            left, right, op = second, first, _FLIPPED.get(op, op)
        else:
            self._unrelated_join_fields(part, first, second, right_scope)
            return None
        left_attr, right_attr = self.scope.get(left.name), right_scope.get(right.name)
        assert left_attr is not None and right_attr is not None
        if not join_compatible(left_attr.type, right_attr.type):
            late.append(
                problem_at(
                    left.source,
                    f"JOIN left field [{left.name}] of type [{messages.enum_name(left_attr.type)}] "
                    f"is incompatible with right field [{right.name}] of type "
                    f"[{messages.enum_name(right_attr.type)}]",
                )
            )
        return JoinCondition(left.name, _COMPARISON_NAMES[op], right.name)

    def _unrelated_join_fields(
        self, part: ast.Expr, first: ast.FieldRef, second: ast.FieldRef, right_scope: Scope
    ) -> None:
        """A comparison that does not relate the two sides: an unknown field, or two
        fields of one side (``Unsupported join filter expression``)."""
        unknown = False
        for ref, side, scope in ((first, "left", self.scope), (second, "right", right_scope)):
            if self.scope.get(ref.name) is None and right_scope.get(ref.name) is None:
                msg = messages.unknown_column(ref.name, scope.names())
                self.fail(ref.source, msg.replace("]", f"] in {side} side of join", 1))
                unknown = True
        if not unknown:
            self.fail(part.source, f"Unsupported join filter expression:{part.source.text}")


# ----------------------------------------------------------------- checks


def check_condition(condition: TExpr, late: list[Problem]) -> None:
    """``Condition expression needs to be boolean, found [T]`` (null is allowed)."""
    if condition.type not in (T.BOOLEAN, T.NULL):
        late.append(
            problem_at(
                condition.source,
                f"Condition expression needs to be boolean, found [{messages.enum_name(condition.type)}]",
            )
        )


def check_string_input(command: str, node: ast.Expr, operand: TExpr, late: list[Problem]) -> None:
    """``Verifier.checkRegexExtractOnlyOnStrings`` (null input is accepted)."""
    if operand.type not in STRING and operand.type is not T.NULL:
        late.append(
            problem_at(
                node.source,
                f"{command} only supports KEYWORD or TEXT values, found expression "
                f"[{node.source.text}] type [{messages.enum_name(operand.type)}]",
            )
        )


def join_compatible(left: DataType, right: DataType) -> bool:
    """``LookupJoin.comparableTypes``: numerics join numerics, strings strings,
    otherwise the types must match."""
    from esqlsh.analysis.types import NUMERIC

    if T.NULL in (left, right):
        return True
    if left in NUMERIC and right in NUMERIC:
        return True
    if left in STRING and right in STRING:
        return True
    return left is right


def enrich_mode(cmd: ast.Enrich) -> str:
    """``_any`` by default; the qualifier is case-insensitive."""
    if cmd.mode is None:
        return "_any"
    mode = cmd.mode.lower()
    if mode not in ENRICH_MODES:
        raise ParsingError(
            cmd.source.line,
            cmd.source.column,
            f"Unrecognized value [{cmd.mode}], ENRICH policy qualifier needs to be one of "
            "[_ANY, _COORDINATOR, _REMOTE]",
        )
    return mode


_COMPARISON_NAMES = {"==": "eq", "!=": "neq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _and_parts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.Binary) and expr.op == "AND":
        return [*_and_parts(expr.left), *_and_parts(expr.right)]
    return [expr]


def _in_time_zone(node: object, zone: TimeZone) -> object:
    """``node`` with every DATE_TRUNC rounding in ``zone`` (``SET time_zone``):
    for a fixed UTC offset, ``DATE_TRUNC(i, d)`` is ``DATE_TRUNC(i, d + offset) -
    offset``. Zones with transitions are refused where DATE_TRUNC is used."""
    if isinstance(node, FnCall):
        args = tuple(_in_time_zone(a, zone) for a in node.args)
        call = dataclasses.replace(node, args=args)  # type: ignore[arg-type]
        return _truncated_in_zone(call, zone) if call.name == "date_trunc" else call
    if isinstance(node, tuple):
        return tuple(_in_time_zone(item, zone) for item in node)
    if isinstance(node, Lit | Ref | Attribute | ast.Source) or not dataclasses.is_dataclass(node):
        return node
    changes = {f.name: _in_time_zone(getattr(node, f.name), zone) for f in dataclasses.fields(node)}
    return dataclasses.replace(node, **changes)  # type: ignore[type-var]


def _truncated_in_zone(call: FnCall, zone: TimeZone) -> TExpr:
    if len(call.args) != 2 or call.args[1].type not in (T.DATETIME, T.DATE_NANOS):
        return call
    if zone.offset_millis is None:
        source = call.source
        raise ParsingError(
            source.line,
            source.column,
            f"DATE_TRUNC in time zone [{zone.id}], which has daylight saving time or other "
            "transitions, is not supported by esqlsh (fixed offsets are)",
        )
    interval, date = call.args
    offset = Lit(TemporalAmount(millis=zone.offset_millis), T.TIME_DURATION, call.source)
    local = FnCall("add", (date, offset), date.type, source=call.source)
    truncated = dataclasses.replace(call, args=(interval, local))
    return FnCall("sub", (truncated, offset), call.type, source=call.source)


def _grok_spec(cmd: ast.Grok) -> GrokSpec:
    """The compiled GROK pattern. Several patterns (after 9.1) are tried in order,
    the first that matches wins: they compile as one alternation, whose fields are
    those of every pattern (a field given two types is refused, as
    ``validateGrokPattern`` refuses it)."""
    specs = [_compiled_grok(cmd, p) for p in cmd.patterns]
    if len(specs) == 1:
        return specs[0]
    types: dict[str, DataType] = {}
    for spec in specs:
        for field in spec.fields:
            if types.setdefault(field.name, field.type) != field.type:
                raise ParsingError(
                    cmd.source.line,
                    cmd.source.column,
                    f"Invalid GROK pattern [{spec.pattern}]: the attribute [{field.name}] is "
                    "defined multiple times with different types",
                )
    combined = "|".join(f"(?:{p})" for p in cmd.patterns)
    return dataclasses.replace(_compiled_grok(cmd, combined), pattern=", ".join(cmd.patterns))


def _compiled_grok(cmd: ast.Grok, pattern: str) -> GrokSpec:
    # (the GROK compiler and its pattern library load with the first GROK)
    from esqlsh.analysis.grok import GrokError, compile_grok

    try:
        return compile_grok(pattern)
    except GrokError as e:
        raise ParsingError(
            cmd.source.line, cmd.source.column, f"Invalid pattern [{pattern}] for grok: {e}"
        ) from None


def _field_name(assignment: ast.Assignment) -> str:
    return assignment.name if assignment.name is not None else assignment.expr.source.text


__all__ = ["analyze"]
