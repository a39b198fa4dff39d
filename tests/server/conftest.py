"""Shared fixtures of the node tests: the conformance cluster (built once, cached)
and one ``esqlsh serve`` node over it for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from esqlsh.clusters.embedded import EmbeddedCluster
from tests.conformance import run_specs
from tests.conformance.fixtures import fixture_cluster
from tests.servers import Node, start_node


@pytest.fixture(scope="session")
def conformance_cluster() -> EmbeddedCluster:
    """The csv-spec indices as an embedded cluster (as the conformance runner finds
    them: ``$ESQLSH_CONFORMANCE`` or ``../shared/conformance``)."""
    fixtures = run_specs.default_conformance_dir()
    if not (fixtures / "indices.yaml").is_file():
        pytest.fail(f"no conformance corpus at {fixtures} (set ESQLSH_CONFORMANCE)")
    return fixture_cluster(fixtures)


@pytest.fixture(scope="session")
def conformance_node(conformance_cluster: EmbeddedCluster) -> Iterator[Node]:
    node = start_node(conformance_cluster.path, extra_args=["--cluster-name", "fixtures"])
    try:
        yield node
    finally:
        node.stop()
