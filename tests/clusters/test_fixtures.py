"""The conformance fixture cluster (built once, then served from the cache)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from esqlsh.analysis.types import DataType
from esqlsh.clusters.embedded import EmbeddedCluster
from tests.conformance.fixtures import fixture_cluster, fixture_cluster_split

CONFORMANCE = Path(os.environ.get("ESQLSH_CONFORMANCE", "/work/shared/conformance"))


@pytest.fixture(scope="module")
def fixtures() -> EmbeddedCluster:
    if not (CONFORMANCE / "indices.yaml").exists():
        pytest.fail(f"no conformance corpus at {CONFORMANCE} (set ESQLSH_CONFORMANCE)")
    return fixture_cluster(CONFORMANCE)


def test_every_copied_index_is_loaded(fixtures: EmbeddedCluster) -> None:
    import yaml

    catalog = yaml.safe_load((CONFORMANCE / "indices.yaml").read_text())
    copied = sorted(name for name, e in catalog["indices"].items() if e.get("copied"))
    assert fixtures.indices() == copied


def test_employees(fixtures: EmbeddedCluster) -> None:
    assert fixtures.row_count("employees") == 100
    info = fixtures.index("employees")
    assert info is not None
    assert info.fields["languages.long"] is DataType.LONG
    assert info.fields["languages.byte"] is DataType.INTEGER
    assert info.fields["height.scaled_float"] is DataType.DOUBLE
    assert info.aliases == ("employees_alias",)
    assert fixtures.resolve("employees_alias") == ["employees"]
    row = fixtures.scan("employees").filter(emp_no=10005).collect().row(0, named=True)
    assert row["height.float"] == 2.049999952316284
    assert row["height.half_float"] == 2.05078125
    assert row["is_rehired"] == [False, False, False, True]
    assert row["salary_change.int"] == [-2, 13]
    assert row["salary_change.keyword"] == ["-2.14", "13.07"]
    assert row["job_positions"] is None


def test_lookup_indices(fixtures: EmbeddedCluster) -> None:
    assert fixtures.index("languages_lookup").mode == "lookup"  # type: ignore[union-attr]
    assert fixtures.index("languages").mode == "standard"  # type: ignore[union-attr]


def test_entry_edits(fixtures: EmbeddedCluster) -> None:
    def fields(index: str) -> dict[str, DataType]:
        info = fixtures.index(index)
        assert info is not None
        return info.fields

    assert "first_name" not in fields("employees_no_names")  # remove_fields + dynamic false
    assert fields("employees_gender_text")["gender"] is DataType.TEXT  # type_overrides
    assert fields("apps_short")["id"] is DataType.INTEGER  # short widens
    assert fields("hosts_ip_is_kwd")["ip0"] is DataType.KEYWORD
    assert "languages.byte" not in fields("employees_incompatible")  # no sub_fields
    assert fields("employees_incompatible")["hire_date"] is DataType.DATE_NANOS
    # the CSV header wins over the stored sample_data mapping
    assert fields("sample_data") == {
        "@timestamp": DataType.DATETIME,
        "client_ip": DataType.IP,
        "event_duration": DataType.LONG,
        "message": DataType.KEYWORD,
    }
    assert "message" not in fields("no_message_sample_data")
    assert fields("sample_data_ts_long")["@timestamp"] is DataType.LONG
    # dynamic_type_mapping: country is text with a keyword multi-field
    assert fields("languages_lookup_non_unique_key")["country"] is DataType.TEXT
    assert fields("languages_lookup_non_unique_key")["country.keyword"] is DataType.KEYWORD
    assert fields("addresses_no_continent") == {
        "city.country.name": DataType.KEYWORD,
        "city.name": DataType.KEYWORD,
        "number": DataType.KEYWORD,
        "street": DataType.KEYWORD,
        "zip_code": DataType.KEYWORD,
    }


def test_ids_from_the_csv(fixtures: EmbeddedCluster) -> None:
    ids = fixtures.scan("apps", ["_id", "id"]).collect()
    assert ids.filter(id=4)["_id"].to_list() == ["4"]
    assert "_id" not in fixtures.index("apps").fields  # type: ignore[union-attr]


def test_policies(fixtures: EmbeddedCluster) -> None:
    policies = fixtures.policies()
    assert set(policies) == {
        "ages_policy",
        "client_cidr_policy",
        "clientip_policy",
        "colors_policy",
        "heights_policy",
        "languages_policy",
    }
    assert policies["client_cidr_policy"].type == "range"
    ranges = fixtures.scan("client_cidr", ["client_cidr", "env"], raw=True).collect()
    assert ranges.row(0, named=True) == {
        "client_cidr": {"gte": "172.21.0.0", "lte": "172.21.255.255"},
        "env": "Development",
    }


def test_cache_is_reused(fixtures: EmbeddedCluster) -> None:
    again = fixture_cluster(CONFORMANCE)
    assert again.path == fixtures.path


def test_split(fixtures: EmbeddedCluster) -> None:
    parts = fixture_cluster_split(CONFORMANCE, 3)
    assert [p.name for p in parts] == ["fixtures0", "fixtures1", "fixtures2"]
    assert sum(p.row_count("employees") for p in parts) == 100
    assert [p.row_count("employees") for p in parts] == [34, 33, 33]
    # lookup indices are whole everywhere
    assert all(p.row_count("languages_lookup") == 4 for p in parts)
    # policies read a hidden full copy of their source
    for part in parts:
        policy = part.policies()["languages_policy"]
        assert policy.indices == (".enrich-languages_policy",)
        assert part.row_count(".enrich-languages_policy") == 4
        assert ".enrich-languages_policy" not in part.resolve("*")
    assert sorted(
        v for p in parts for v in p.scan("employees", ["emp_no"]).collect()["emp_no"].to_list()
    ) == list(range(10001, 10101))
