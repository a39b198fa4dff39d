"""One query over many clusters: esqlsh as Elasticsearch's cross-cluster coordinator.

:func:`run_federated` is the whole pipeline (docs/COORDINATOR.md):

1. parse; a query that reads no cluster (ROW, SHOW) or only the local in-process
   one runs there as a single-cluster query (no ``_clusters``, as Elasticsearch
   answers a query that is not cross-cluster);
2. ``resolve_targets``: which clusters, with which index expression each; the
   checks Elasticsearch makes before contacting anyone (``verify_ccs``);
3. every cluster's catalog, fetched concurrently; an unreachable remote is
   ``skipped`` (``skip_unavailable: true``) or fails the query;
4. per cluster, do the expressions match anything? A concrete index missing on a
   remote skips it (or fails the query); a wildcard matching nothing is a
   ``successful`` cluster with no shards; nothing anywhere is ``Unknown index``
   (or an empty answer when the clusters with data were unreachable);
5. the enrich policies checked across clusters, then ``analyze`` over the
   federated catalog of the clusters left;
6. ``split`` into fragments (with typed nulls for the fields a cluster lacks, the
   params and one NOW()), run concurrently (per-cluster timeout, cancellation);
   a remote failing after data arrived is ``partial``, before it ``skipped``;
7. the fragments' frames, local first, become the exchange the coordinator plan
   runs over; the answer carries the ``ClustersInfo``.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from esqlsh.analysis.types import DataType
from esqlsh.clusters.base import Catalog, EnrichPolicy
from esqlsh.clusters.federated import FederatedCatalog
from esqlsh.coordinator.clusters_info import (
    PARTIAL,
    SKIPPED,
    SUCCESSFUL,
    UNAVAILABLE_TYPE,
    ClusterInfo,
    ClustersInfo,
    failure,
    failure_of,
    no_shards,
    unavailable_reason,
)
from esqlsh.coordinator.concurrent import ClusterTimeout, Outcome, ask_all
from esqlsh.coordinator.exchange import ExchangeStorage, merge_frames
from esqlsh.engine.result import Result
from esqlsh.errors import ClusterUnavailableError, EsqlError, RemoteError
from esqlsh.plan.logical import Attribute, Plan
from esqlsh.syntax import ast

if TYPE_CHECKING:
    from esqlsh.clusters.base import Storage
    from esqlsh.clusters.patterns import ClusterTarget
    from esqlsh.clusters.registry import Cluster, FragmentResult
    from esqlsh.plan.split import Fragment, SplitPlan

Params = list[object] | dict[str, object] | None


class ClusterRegistry(Protocol):
    """What the coordinator needs of ``clusters.registry.Registry``."""

    @property
    def local(self) -> str | None: ...

    @property
    def clusters(self) -> Mapping[str, Cluster]: ...

    def remotes(self) -> list[str]: ...


Progress = Callable[[ClusterInfo], None]

NO_FIELDS = "<no-fields>"


class CoordinatorCatalog(FederatedCatalog):
    """The federated catalog the whole query is analysed over, with the enrich
    policies of every cluster that runs one (``FederatedCatalog`` has the local
    cluster's only)."""

    def __init__(
        self,
        catalogs: Mapping[str, Catalog],
        local: str | None,
        unavailable: Sequence[str],
        policies: Mapping[str, EnrichPolicy],
    ):
        super().__init__(catalogs, local, unavailable=unavailable)
        self._policies = dict(policies)

    def policies(self) -> dict[str, EnrichPolicy]:
        return dict(self._policies)


class PlainVerificationError(EsqlError):
    """Elasticsearch's ``VerificationException(String)``: the message alone, without
    ``Found N problems`` (e.g. ``Unknown index [c:idx]`` raised at index resolution)."""

    type = "verification_exception"
    status = 400


@dataclass
class FederatedResult(Result):
    """A ``Result`` with the per-cluster metadata of a cross-cluster query
    (``clusters`` is None for a query that read one cluster only, which
    Elasticsearch answers without ``_clusters``)."""

    clusters: ClustersInfo | None = None
    local: str | None = None
    include_ccs_metadata: bool = False

    @property
    def shows_clusters(self) -> bool:
        """Whether ``_clusters`` belongs in the response: when asked for, and always
        when a cluster failed or the result is partial."""
        if self.clusters is None:
            return False
        return self.include_ccs_metadata or self.is_partial or self.clusters.has_problem

    def clusters_json(self) -> dict[str, Any] | None:
        return None if self.clusters is None else self.clusters.to_json(self.local)


def run_federated(
    text: str,
    registry: ClusterRegistry,
    params: Params = None,
    *,
    include_ccs_metadata: bool = False,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    now_millis: int | None = None,
) -> FederatedResult:
    """Run ES|QL ``text`` over the clusters of ``registry``.

    ``cancel`` (a ``threading.Event``) stops the query from another thread;
    Ctrl-C does the same. Either way every cluster is told to stop and
    KeyboardInterrupt is raised. ``progress`` sees each cluster's entry every time
    its status changes. Errors are Elasticsearch's (``EsqlError``)."""
    run = _FederatedRun(registry, params, cancel or threading.Event(), progress, now_millis)
    result = run.execute(text)
    result.include_ccs_metadata = include_ccs_metadata
    return result


def explain_federated(text: str, registry: ClusterRegistry, params: Params = None) -> str:
    """The ``--explain`` text of ``text``: each cluster's fragment (ES|QL) and the
    coordinator plan, or the single-cluster plan; nothing is run."""
    return _FederatedRun(registry, params, threading.Event(), None, None).explain(text)


class _FederatedRun:
    def __init__(
        self,
        registry: ClusterRegistry,
        params: Params,
        cancel: threading.Event,
        progress: Progress | None,
        now_millis: int | None,
    ):
        self.registry = registry
        self.params = params
        self.cancel = cancel
        self.progress = progress
        self.now_millis = now_millis
        self.started = time.perf_counter()
        # One NOW() for every fragment and the coordinator, as Elasticsearch has.
        self.query_now = now_millis if now_millis is not None else time.time_ns() // 1_000_000
        self.info = ClustersInfo()
        self.cross_cluster = True
        self.unavailable: set[str] = set()

    def elapsed(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)

    # ------------------------------------------------------------------ driver

    def execute(self, text: str) -> FederatedResult:
        local = self.registry.local
        in_process = local is None or storage_of(self.registry.clusters[local]) is not None
        if not self.registry.remotes() and in_process:
            # Without remotes every query is a single-cluster one (a cluster prefix
            # fails there with Elasticsearch's "no such remote cluster").
            return self.single(text, self.single_storage())
        query = _parse(text)
        targets = self.targets(query)
        if targets is None:
            return self.single(text, self.single_storage())
        prepared = self.prepare(query, targets)
        if isinstance(prepared, FederatedResult):
            return prepared
        split_plan, warnings = prepared
        results = self.run_fragments(split_plan)
        return self.coordinate(split_plan, results, warnings)

    def explain(self, text: str) -> str:
        """What ``execute`` would run, without running it: each cluster's fragment
        and the coordinator plan (catalogs are fetched: planning needs them)."""
        from esqlsh.analysis.analyzer import analyze
        from esqlsh.plan.explain import plan_to_text

        query = _parse(text)
        targets = self.targets(query)
        if targets is None:
            plan = analyze(query, self.single_storage(), self.params)
            where = self.registry.local or "in process"
            return f"single cluster [{where}] runs the whole query:\n{plan_to_text(plan)}\n"
        prepared = self.prepare(query, targets)
        notes = [
            f"{entry.alias}: {entry.status}{_failure_note(entry)}"
            for entry in self.info.details.values()
            if entry.done
        ]
        if isinstance(prepared, FederatedResult):
            return "\n".join(["nothing to search:", *notes]) + "\n"
        text_out = str(prepared[0].explain()).rstrip("\n") + "\n"
        if notes:
            text_out += "not run:\n" + "".join(f"  {n}\n" for n in notes)
        return text_out

    def targets(self, query: ast.Query) -> dict[str, ClusterTarget] | None:
        """The clusters the FROM reaches; None when the query reads no cluster or
        only the local in-process one (a single-cluster query, no ``_clusters``)."""
        from esqlsh.clusters.patterns import resolve_targets

        source = query.commands[0] if query.commands else None
        if not isinstance(source, ast.From):
            return None
        local = self.registry.local
        targets = resolve_targets(source.patterns, local, self.registry.remotes())
        if not targets:  # no cluster matched (``x*:foo``): nothing to search, a valid empty FROM
            return None
        single = local is not None and set(targets) <= {local}
        if single and storage_of(self.registry.clusters[local]) is not None:  # type: ignore[index]
            return None
        return targets

    def prepare(
        self, query: ast.Query, targets: Mapping[str, ClusterTarget]
    ) -> tuple[SplitPlan, list[str]] | FederatedResult:
        """Catalogs, index resolution, analysis and the split; an empty answer when
        every cluster with data was unreachable and may be skipped."""
        from esqlsh.plan.split import split, verify_ccs

        verify_ccs(query)  # before any cluster is contacted, as Elasticsearch does
        # Elasticsearch reports _clusters only for a cross-cluster search.
        self.cross_cluster = not set(targets) <= {self.registry.local}
        self.info = ClustersInfo.running(
            ((alias, t.expression, self.skip_unavailable(alias)) for alias, t in targets.items()),
            listener=self.progress,
        )
        enrich = any(isinstance(c, ast.Enrich) for c in query.commands)
        catalogs = self.fetch_catalogs(targets, enrich=enrich)
        matched = self.match_indices(targets, catalogs)
        if not matched and self.unavailable and self.all_remotes_skippable(targets):
            return self.empty_result(targets)
        plan = self.analyze(query, targets, catalogs, matched)
        searched = {a: t for a, t in targets.items() if a in matched}
        split_plan = split(query, plan, searched, local=self.registry.local)
        split_plan.fragments = {
            alias: self.complete(fragment, plan, searched[alias], catalogs[alias])
            for alias, fragment in split_plan.fragments.items()
        }
        return split_plan, list(plan.warnings)

    def complete(
        self, fragment: Fragment, plan: Plan, target: ClusterTarget, catalog: Catalog
    ) -> Fragment:
        """``fragment`` ready for its cluster: typed nulls for the fields of the
        union its indices lack, the query's parameters and a fixed NOW()."""
        from esqlsh.clusters.patterns import target_indices

        union = {a.name: a.type for a in plan.nodes[0].schema}
        for name in getattr(plan.nodes[0], "metadata", ()):
            union.pop(name, None)
        own: set[str] = set()
        for index in target_indices(target, catalog):
            info = catalog.index(index)
            own.update(info.fields if info is not None else ())
        missing = {name: t for name, t in union.items() if name not in own}
        if missing:
            fragment = fragment.with_missing_fields(missing)
        return dataclasses.replace(fragment, params=self.params, now_millis=self.query_now)

    def single(self, text: str, storage: Storage) -> FederatedResult:
        """A query of one in-process cluster: the single-cluster pipeline."""
        from esqlsh.coordinator.session import run_query

        options: dict[str, Any] = {}
        if self.now_millis is not None:
            options["now_millis"] = self.now_millis
        result = run_query(text, storage, self.params, **options)
        return FederatedResult(
            result.columns,
            result.frame,
            list(result.warnings),
            result.took_ms,
            result.is_partial,
            local=self.registry.local,
        )

    # ------------------------------------------------------------------ clusters

    def cluster(self, alias: str) -> Cluster:
        return self.registry.clusters[alias]

    def is_local(self, alias: str) -> bool:
        return alias == self.registry.local

    def skip_unavailable(self, alias: str) -> bool:
        # The local cluster is never skipped, whatever its setting.
        return not self.is_local(alias) and bool(self.cluster(alias).skip_unavailable)

    def all_remotes_skippable(self, targets: Mapping[str, ClusterTarget]) -> bool:
        return all(self.skip_unavailable(a) for a in targets if not self.is_local(a))

    def single_storage(self) -> Storage:
        """The local cluster's storage for single-cluster queries (ROW, SHOW, FROM
        the local cluster only), or an empty one when there is no local cluster
        in this process."""
        local = self.registry.local
        storage = storage_of(self.registry.clusters[local]) if local is not None else None
        if storage is not None:
            return storage
        return ExchangeStorage("", (), pl.DataFrame())

    # ------------------------------------------------------------------ catalogs

    def fetch_catalogs(
        self, targets: Mapping[str, ClusterTarget], *, enrich: bool = True
    ) -> dict[str, Catalog]:
        """Every target's catalog (and the local one's, for its policies), at once,
        with what index resolution and analysis will ask of it (``enrich``: the
        query needs the policies too). An unreachable remote is skipped or fails
        the query (skip_unavailable)."""
        aliases = list(targets)
        local = self.registry.local
        if local is not None and local not in targets:
            aliases.append(local)
        # The local cluster's policies are always read (the analysis is given them).
        tasks = {
            a: _catalog_task(self.cluster(a), targets.get(a), enrich or a == local) for a in aliases
        }
        outcomes = ask_all(tasks, self.timeouts(aliases), self.cancel)
        catalogs: dict[str, Catalog] = {}
        for alias in aliases:
            outcome = outcomes[alias]
            if outcome.error is None and outcome.value is not None:
                catalogs[alias] = outcome.value
            elif alias in targets:
                self.catalog_failed(alias, outcome.error)
        return catalogs

    def timeouts(self, aliases: Sequence[str]) -> dict[str, float]:
        return {a: float(self.cluster(a).timeout) for a in aliases}

    def catalog_failed(self, alias: str, error: BaseException | None) -> None:
        """``updateExecutionInfoWithUnavailableClusters``: skip or fail."""
        assert error is not None
        if _is_unavailable(error):
            if not self.skip_unavailable(alias):
                raise unavailable_error(alias, self.is_local(alias)) from error
            self.unavailable.add(alias)
            self.info.finish(alias, SKIPPED, self.elapsed(), failures=[unavailable_failure(alias)])
            return
        if not isinstance(error, EsqlError) or not self.skip_unavailable(alias):
            raise error
        self.info.finish(alias, SKIPPED, self.elapsed(), failures=[failure_of(error)])

    # ------------------------------------------------------------------ index resolution

    def match_indices(
        self, targets: Mapping[str, ClusterTarget], catalogs: Mapping[str, Catalog]
    ) -> set[str]:
        """The reachable targets whose expressions match an index
        (``updateExecutionInfoWithClustersWithNoMatchingIndices``)."""
        from esqlsh.clusters.patterns import missing_concrete, target_indices

        matched: set[str] = set()
        fatal: list[str] = []
        for alias, target in targets.items():
            catalog = catalogs.get(alias)
            if catalog is None:
                continue
            if target_indices(target, catalog):
                matched.add(alias)
            elif missing_concrete(target, catalog):
                if self.skip_unavailable(alias):
                    failures = [failure(PlainVerificationError.type, target.unknown_index())]
                    self.info.finish(alias, SKIPPED, self.elapsed(), failures=failures)
                else:
                    fatal.append(target.unknown_index())
            else:
                self.info.finish(alias, SUCCESSFUL, self.elapsed())
        if fatal:
            raise PlainVerificationError("; ".join(fatal))
        return matched

    def empty_result(self, targets: Mapping[str, ClusterTarget]) -> FederatedResult:
        """Nothing to search because clusters were unreachable and all may be skipped:
        an empty answer (``EsqlCCSUtils.updateExecutionInfoToReturnEmptyResult``)."""
        took = self.elapsed()
        for alias in targets:
            status = SUCCESSFUL if self.is_local(alias) else SKIPPED
            self.info.update(alias, status=status, took=took, shards=no_shards())
        columns = (Attribute(NO_FIELDS, DataType.NULL),)
        frame = pl.DataFrame({NO_FIELDS: pl.Series([], dtype=pl.Null())})
        return FederatedResult(
            columns,
            frame,
            [],
            took,
            self.info.is_partial,
            clusters=self.info if self.cross_cluster else None,
            local=self.registry.local,
        )

    # ------------------------------------------------------------------ analysis

    def analyze(
        self,
        query: ast.Query,
        targets: Mapping[str, ClusterTarget],
        catalogs: Mapping[str, Catalog],
        matched: set[str],
    ) -> Plan:
        """The whole query's plan over the union of the clusters still searched
        (skipped ones stay known, contributing nothing), once the enrich policies
        it needs are known to agree across clusters."""
        from esqlsh.analysis.analyzer import analyze

        policies = self.check_enrich(query, targets, catalogs)
        members = {
            alias: catalog
            for alias, catalog in catalogs.items()
            if alias in matched or alias not in targets or self.info[alias].status != SKIPPED
        }
        # Every configured remote stays known: the FROM may name (or exclude) any.
        skipped = [alias for alias in self.registry.remotes() if alias not in members]
        federated = CoordinatorCatalog(members, self.registry.local, skipped, policies)
        return analyze(query, federated, self.params)

    def check_enrich(
        self,
        query: ast.Query,
        targets: Mapping[str, ClusterTarget],
        catalogs: Mapping[str, Catalog],
    ) -> dict[str, EnrichPolicy]:
        """Raise Elasticsearch's errors for policies missing on, or differing
        between, the clusters that run them; the policies the analysis sees."""
        from esqlsh.coordinator.enrich_check import check_enrich_policies

        local = self.registry.local
        local_catalog = catalogs.get(local) if local is not None else None
        local_policies = dict(local_catalog.policies()) if local_catalog is not None else {}
        if not any(isinstance(c, ast.Enrich) for c in query.commands):
            return local_policies
        remotes = [a for a in targets if not self.is_local(a) and a in catalogs]
        policies: dict[str | None, Mapping[str, EnrichPolicy]] = {
            a: catalogs[a].policies() for a in remotes
        }
        policies[None] = local_policies
        check_enrich_policies(query, policies, remotes, local in targets)
        return analysis_policies(policies, remotes)

    # ------------------------------------------------------------------ fragments

    def run_fragments(self, split_plan: SplitPlan) -> dict[str, FragmentResult]:
        """Every fragment on its cluster at once; statuses as each one ends."""
        fragments = split_plan.fragments
        _load_function_registries()
        tasks = {a: _run_task(self.cluster(a), f) for a, f in fragments.items()}
        results: dict[str, FragmentResult] = {}

        def done(alias: str, outcome: Outcome[FragmentResult]) -> None:
            if outcome.error is None and outcome.value is not None:
                results[alias] = outcome.value
                self.fragment_succeeded(alias, outcome.value)
            else:
                self.fragment_failed(alias, outcome.error)

        ask_all(tasks, self.timeouts(list(fragments)), self.cancel, done)
        return results

    def fragment_succeeded(self, alias: str, result: FragmentResult) -> None:
        status = PARTIAL if getattr(result, "is_partial", False) else SUCCESSFUL
        self.info.finish(alias, status, int(result.took_ms), shards=dict(result.shards))

    def fragment_failed(self, alias: str, error: BaseException | None) -> None:
        """A remote failing mid-query: ``partial`` if it had sent data, else
        ``skipped``; with skip_unavailable false (or the local cluster) the query
        fails with the cluster's error."""
        assert error is not None
        unavailable = _is_unavailable(error)
        if not self.skip_unavailable(alias):
            if unavailable and not isinstance(error, RemoteError):
                raise unavailable_error(alias, self.is_local(alias)) from error
            raise error
        if not unavailable and not isinstance(error, EsqlError):
            raise error  # a bug, not a cluster's failure: let it show
        status = PARTIAL if getattr(error, "data_received", False) else SKIPPED
        entry = unavailable_failure(alias) if unavailable else failure_of(error)
        self.info.finish(alias, status, self.elapsed(), failures=[entry])

    # ------------------------------------------------------------------ coordinator

    def coordinate(
        self, split_plan: SplitPlan, results: Mapping[str, FragmentResult], warnings: list[str]
    ) -> FederatedResult:
        """The coordinator plan over the exchange of every fragment's rows."""
        from esqlsh.analysis.analyzer import analyze
        from esqlsh.engine.executor import execute

        order = [a for a in split_plan.fragments if a in results]
        exchange_columns = tuple(split_plan.exchange)
        frame = merge_frames(exchange_columns, [results[a].frame for a in order])
        storage = ExchangeStorage(
            exchange_index(split_plan.coordinator), exchange_columns, frame, self.local_catalog()
        )
        plan = analyze(split_plan.coordinator, storage, self.params)
        result = execute(plan, storage, now_millis=self.query_now)
        runtime = result.warnings[len(plan.warnings) :]
        fragment_warnings = [w for a in order for w in results[a].warnings]
        all_warnings = list(dict.fromkeys([*warnings, *fragment_warnings, *runtime]))
        return FederatedResult(
            result.columns,
            result.frame,
            all_warnings,
            self.elapsed(),
            self.info.is_partial,
            clusters=self.info if self.cross_cluster else None,
            local=self.registry.local,
        )

    def local_catalog(self) -> Catalog | None:
        local = self.registry.local
        if local is None:
            return None
        return storage_of(self.registry.clusters[local])


# ---------------------------------------------------------------------- helpers


def _catalog_task(
    cluster: Cluster, target: ClusterTarget | None, enrich: bool
) -> Callable[[threading.Event], Catalog]:
    """The metadata step of one cluster. A remote one (``catalog_for``) resolves
    the target's indices and fetches their fields here, on the cluster's own
    thread: done later, during index matching and analysis, those round trips
    would run one cluster after another."""

    def task(stop: threading.Event) -> Catalog:
        catalog_for = getattr(cluster, "catalog_for", None)
        if target is None or catalog_for is None:
            return cluster.catalog()
        from esqlsh.clusters.patterns import catalog_expression

        prefetched: Catalog = catalog_for(catalog_expression(target), policies=enrich)
        return prefetched

    return task


def _run_task(cluster: Cluster, fragment: Any) -> Callable[[threading.Event], FragmentResult]:
    def task(stop: threading.Event) -> FragmentResult:
        return cluster.run(fragment, stop)

    return task


def _load_function_registries() -> None:
    """Fill the function declaration and implementation registries in this thread
    before fragments are analysed and executed on several: both load lazily and
    their first load is not safe to race (a thread may see a half-filled
    registry: ``Unknown function [CONCAT]``)."""
    from esqlsh.analysis.registry import all_functions
    from esqlsh.engine.compiled import load_impls

    all_functions()
    load_impls()


def storage_of(cluster: Cluster) -> Storage | None:
    """The in-process storage of an embedded cluster; None for a remote one."""
    if getattr(cluster, "kind", None) != "embedded":
        return None
    storage: Storage | None = getattr(cluster, "storage", None)
    return storage


def _is_unavailable(error: BaseException) -> bool:
    return isinstance(error, ClusterUnavailableError | ClusterTimeout)


def unavailable_failure(alias: str) -> dict[str, Any]:
    return failure(UNAVAILABLE_TYPE, unavailable_reason(alias, True))


def unavailable_error(alias: str, local: bool) -> ClusterUnavailableError:
    """The query's error when a cluster that may not be skipped is unreachable."""
    if local:
        return ClusterUnavailableError(f"the local cluster [{alias}] is not available", alias=alias)
    return ClusterUnavailableError(unavailable_reason(alias, False), alias=alias)


def analysis_policies(
    policies: Mapping[str | None, Mapping[str, EnrichPolicy]], remotes: Sequence[str]
) -> dict[str, EnrichPolicy]:
    """Each policy as the analysis sees it: the local cluster's, else the first
    remote's (its enrich indices named ``alias:index`` so their field types come
    from that cluster). The copies were checked to agree."""
    merged = dict(policies.get(None, {}))
    for alias in remotes:
        for name, policy in policies.get(alias, {}).items():
            if name not in merged:
                indices = tuple(f"{alias}:{i}" for i in policy.indices)
                merged[name] = dataclasses.replace(policy, indices=indices)
    return merged


def _parse(text: str) -> ast.Query:
    from esqlsh.syntax.parser import parse

    return parse(text)


def _failure_note(entry: ClusterInfo) -> str:
    reasons = [str((f.get("reason") or {}).get("reason", "")) for f in entry.failures]
    return f" ({'; '.join(reasons)})" if reasons else ""


def exchange_index(coordinator: ast.Query) -> str:
    """The index name the coordinator plan's FROM reads (the exchange)."""
    source = coordinator.commands[0]
    assert isinstance(source, ast.From), "the coordinator plan reads the exchange"
    return source.patterns[0].index
