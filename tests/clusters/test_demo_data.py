"""The demo cluster shipped in esqlsh/data/default."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from esqlsh.analysis.types import DataType
from esqlsh.clusters.embedded import EmbeddedCluster

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "esqlsh" / "data" / "default"


def test_demo_cluster_contents() -> None:
    demo = EmbeddedCluster(DEMO)
    assert demo.indices() == ["employees", "hosts", "logs"]
    employees = demo.index("employees")
    logs = demo.index("logs")
    assert employees is not None and logs is not None
    assert employees.fields["job_positions"] is DataType.KEYWORD
    assert employees.fields["languages.long"] is DataType.LONG
    assert "job_positions" in demo.multi_valued("employees")
    assert logs.fields["client_ip"] is DataType.IP
    assert logs.fields["status"] is DataType.INTEGER
    assert logs.fields["message"] is DataType.TEXT
    assert demo.row_count("employees") == 100
    assert demo.row_count("logs") == 2000
    policy = demo.policies()["hosts"]
    assert (policy.type, policy.indices, policy.match_field) == ("match", ("hosts",), "ip")
    # the policy enriches: hosts are clients in the logs
    host_ips = set(demo.scan("hosts", ["ip"]).collect()["ip"])
    client_ips = set(demo.scan("logs", ["client_ip"]).collect()["client_ip"])
    assert host_ips and host_ips <= client_ips


def test_demo_cluster_is_small() -> None:
    size = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert size < 300 * 1024


def test_demo_cluster_is_what_the_script_generates(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_demo_data", REPO / "scripts" / "make_demo_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path / "demo")
    shipped = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file())
    fresh = sorted(
        p.relative_to(tmp_path / "demo") for p in (tmp_path / "demo").rglob("*") if p.is_file()
    )
    assert shipped == fresh
    for rel in shipped:
        if rel.suffix == ".json":
            assert json.loads((DEMO / rel).read_text()) == json.loads(
                (tmp_path / "demo" / rel).read_text()
            )
        else:
            assert_frame_equal(
                pl.read_parquet(DEMO / rel), pl.read_parquet(tmp_path / "demo" / rel)
            )
