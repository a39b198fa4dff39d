"""One ``Catalog`` over several clusters, named as the coordinator names them.

Index names of remote clusters carry their alias (``c1:logs``), local ones are bare,
exactly as Elasticsearch's coordinator sees them after field-caps; analysing a query
over a ``FederatedCatalog`` therefore type-checks it over the union of every
cluster's fields, with Elasticsearch's messages (a type conflict lists
``c1:logs``). ``analysis/sources.py`` recognises a federated catalog by its
``aliases()`` method and groups FROM patterns with ``targets()``.

The coordinator builds one from the catalogs of the clusters that survived its
availability checks; clusters that are configured but were dropped (skipped) are
passed as ``unavailable`` so that naming them is still valid and they simply
contribute nothing, as in Elasticsearch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from esqlsh.clusters.base import Catalog, EnrichPolicy, IndexInfo
from esqlsh.clusters.patterns import (
    ClusterTarget,
    parse_expression,
    resolve_targets,
    split_index_name,
    target_indices,
)
from esqlsh.syntax import ast


class FederatedCatalog:
    """``catalogs`` maps each available cluster's alias to its catalog (the local
    one under ``local``); ``unavailable`` lists configured remotes left out."""

    def __init__(
        self,
        catalogs: Mapping[str, Catalog],
        local: str | None,
        *,
        unavailable: Iterable[str] = (),
    ):
        self.catalogs = dict(catalogs)
        self.local = local
        self.unavailable = tuple(a for a in unavailable if a not in self.catalogs)
        self.name = local if local is not None else "(federated)"

    # ------------------------------------------------------------ federation

    def aliases(self) -> list[str]:
        """Every cluster alias known: local first, then the remotes."""
        local = [self.local] if self.local is not None else []
        return local + self.remotes()

    def remotes(self) -> list[str]:
        """Remote aliases, available ones first, in the order given."""
        names = [a for a in self.catalogs if a != self.local] + list(self.unavailable)
        return list(dict.fromkeys(names))

    def catalog(self, alias: str) -> Catalog | None:
        """The catalog of ``alias``, None when the cluster is unavailable."""
        return self.catalogs.get(alias)

    def targets(self, patterns: Sequence[ast.IndexPattern]) -> dict[str, ClusterTarget]:
        return resolve_targets(patterns, self.local, self.remotes())

    def qualify(self, alias: str, index: str) -> str:
        return index if alias == self.local else f"{alias}:{index}"

    # --------------------------------------------------------------- Catalog

    def resolve(self, expression: str) -> list[str]:
        """Concrete names matching ``expression`` on every cluster it reaches,
        prefixed with the alias on remotes, sorted. Raises the pattern errors."""
        names: list[str] = []
        for alias, target in self.targets(parse_expression(expression)).items():
            catalog = self.catalog(alias)
            if catalog is not None:
                names.extend(self.qualify(alias, n) for n in target_indices(target, catalog))
        return sorted(names)

    def index(self, name: str) -> IndexInfo | None:
        """``c1:idx`` → c1's ``idx`` renamed ``c1:idx`` (its aliases prefixed too);
        a bare name is the local cluster's."""
        alias, index = split_index_name(name)
        if alias == self.local:
            return None  # the local cluster is never named with a prefix
        cluster = alias if alias is not None else self.local
        catalog = self.catalog(cluster) if cluster is not None else None
        info = catalog.index(index) if catalog is not None else None
        if info is None or alias is None:
            return info
        return dataclasses.replace(
            info, name=name, aliases=tuple(f"{alias}:{a}" for a in info.aliases)
        )

    def policies(self) -> dict[str, EnrichPolicy]:
        """The local cluster's policies (the coordinator checks the others)."""
        catalog = self.catalog(self.local) if self.local is not None else None
        return catalog.policies() if catalog is not None else {}
