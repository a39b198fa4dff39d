"""ENRICH (match and range policies) and LOOKUP JOIN, with cases from
Elasticsearch's enrich and lookup-join csv-specs."""

from __future__ import annotations

import polars as pl
import pytest

from esqlsh.analysis.types import DataType as T
from esqlsh.clusters.base import EnrichPolicy
from esqlsh.engine.executor import execute
from esqlsh.errors import QueryExecutionError
from esqlsh.plan.logical import Attribute, EnrichNode, LookupJoinNode, Plan, RowSource
from tests.engine.conftest import lit, ref, schema, src
from tests.engine.memstorage import MemStorage

LOOKUP_MV = "java.lang.IllegalArgumentException: LOOKUP JOIN encountered multi-value"


@pytest.fixture
def storage() -> MemStorage:
    s = MemStorage()
    s.add(
        "languages",
        {"language_code": T.INTEGER, "language_name": T.KEYWORD},
        {
            "language_code": [1, 2, 3, 4],
            "language_name": ["English", "French", "Spanish", "German"],
        },
    )
    s.add(
        "languages_nu",
        {"language_code": T.INTEGER, "language_name": T.KEYWORD, "country": T.KEYWORD},
        {
            "language_code": [1, 1, 2, 4, 5, [6, 7], None],
            "language_name": [
                "English",
                "English",
                "German",
                "Quenya",
                None,
                "Mv-Lang",
                "Null-Lang",
            ],
            "country": [
                "Canada",
                "United Kingdom",
                ["Austria", "Germany"],
                None,
                "Atlantis",
                "Mv-Land",
                "Null-Land",
            ],
        },
        mode="lookup",
    )
    s.add(
        "ages",
        {"age_range": T.UNSUPPORTED, "description": T.KEYWORD},
        {"description": ["Baby", "Toddler", "Preschooler"]},
    )
    # ranges are stored as Struct{gte, lte}, inclusive (esqlsh.clusters.layout)
    s.frames["ages"] = s.frames["ages"].with_columns(
        pl.Series("age_range", [{"gte": 0, "lte": 1}, {"gte": 2, "lte": 3}, {"gte": 3, "lte": 4}])
    )
    s.add("cidr", {"client_cidr": T.UNSUPPORTED, "env": T.KEYWORD}, {"env": ["Development", "QA"]})
    s.frames["cidr"] = s.frames["cidr"].with_columns(
        pl.Series(
            "client_cidr",
            [
                {"gte": "172.21.0.0", "lte": "172.21.255.255"},
                {"gte": "172.21.2.0", "lte": "172.21.2.255"},
            ],
        )
    )
    s.enrich = {
        "languages_policy": EnrichPolicy(
            "languages_policy", "match", ("languages",), "language_code", ("language_name",)
        ),
        "ages_policy": EnrichPolicy(
            "ages_policy", "range", ("ages",), "age_range", ("description",)
        ),
        "cidr_policy": EnrichPolicy("cidr_policy", "range", ("cidr",), "client_cidr", ("env",)),
    }
    return s


def _enrich(
    storage: MemStorage,
    value: object,
    t: T,
    policy: str,
    policy_type: str,
    match_field: str,
    field: str,
) -> list[object]:
    sch = schema(("a", t))
    out = sch + schema(("r", T.KEYWORD))
    plan = Plan(
        (
            RowSource((("a", lit(value, t)),), sch),
            EnrichNode(
                policy,
                "_any",
                policy_type,
                ref("a", t),
                match_field,
                (("r", field, T.KEYWORD),),
                out,
            ),
        )
    )
    return execute(plan, storage).frame["r"].to_list()


def test_enrich_match(storage: MemStorage) -> None:
    assert _enrich(
        storage, "2", T.KEYWORD, "languages_policy", "match", "language_code", "language_name"
    ) == ["French"]
    assert _enrich(
        storage, 3, T.INTEGER, "languages_policy", "match", "language_code", "language_name"
    ) == ["Spanish"]
    assert _enrich(
        storage, "9", T.KEYWORD, "languages_policy", "match", "language_code", "language_name"
    ) == [None]
    assert _enrich(
        storage, None, T.KEYWORD, "languages_policy", "match", "language_code", "language_name"
    ) == [None]


def test_enrich_multi_valued_input(storage: MemStorage) -> None:
    result = _enrich(
        storage,
        ["1", "2"],
        T.KEYWORD,
        "languages_policy",
        "match",
        "language_code",
        "language_name",
    )
    assert sorted(result[0]) == ["English", "French"]


def test_enrich_range(storage: MemStorage) -> None:
    args = ("ages_policy", "range", "age_range", "description")
    assert _enrich(storage, 1, T.INTEGER, *args) == ["Baby"]
    assert sorted(_enrich(storage, 3, T.INTEGER, *args)[0]) == ["Preschooler", "Toddler"]
    assert _enrich(storage, 9, T.INTEGER, *args) == [None]


def test_enrich_ip_range(storage: MemStorage) -> None:
    args = ("cidr_policy", "range", "client_cidr", "env")
    assert _enrich(storage, "172.21.0.5", T.IP, *args) == ["Development"]
    assert sorted(_enrich(storage, "172.21.2.113", T.IP, *args)[0]) == ["Development", "QA"]


def test_enrich_keeps_rows_and_shadows_columns(storage: MemStorage) -> None:
    sch = schema(("a", T.KEYWORD), ("r", T.KEYWORD))
    node = EnrichNode(
        "languages_policy",
        "_any",
        "match",
        ref("a", T.KEYWORD),
        "language_code",
        (("r", "language_name", T.KEYWORD),),
        sch,
    )
    plan = Plan((RowSource((("a", lit("1", T.KEYWORD)), ("r", lit("old", T.KEYWORD))), sch), node))
    assert execute(plan, storage).frame.rows() == [("1", "English")]


def _lookup(
    storage: MemStorage, value: object, key: str = "language_code", t: T = T.INTEGER
) -> tuple[list[tuple[object, ...]], list[str]]:
    sch = schema((key, t))
    fields = (Attribute("language_name", T.KEYWORD), Attribute("country", T.KEYWORD))
    fields = tuple(f for f in fields if f.name != key)
    node = LookupJoinNode(
        "languages_nu",
        (key,),
        fields,
        sch + fields,
        source=src(f"LOOKUP JOIN languages_nu ON {key}", 2, 3),
    )
    result = execute(Plan((RowSource(((key, lit(value, t)),), sch), node)), storage)
    return result.frame.rows(), result.warnings


def test_lookup_join_multiplies_matching_rows(storage: MemStorage) -> None:
    rows, warnings = _lookup(storage, 1)
    assert rows == [(1, "English", "Canada"), (1, "English", "United Kingdom")]
    assert warnings == []


def test_lookup_join_without_match_keeps_the_row(storage: MemStorage) -> None:
    assert _lookup(storage, 3) == ([(3, None, None)], [])
    assert _lookup(storage, None) == ([(None, None, None)], [])


def test_lookup_join_multi_valued_left_key_warns(storage: MemStorage) -> None:
    rows, warnings = _lookup(storage, [1, 2])
    assert rows == [([1, 2], None, None)]
    assert warnings == [
        "Line 2:3: evaluation of [LOOKUP JOIN languages_nu ON language_code] failed, treating result "
        "as null. Only first 20 failures recorded.",
        f"Line 2:3: {LOOKUP_MV}",
    ]


def test_lookup_join_multi_valued_lookup_key_warns_when_matched(storage: MemStorage) -> None:
    rows, warnings = _lookup(storage, 6)
    assert rows == [(6, None, None)]
    assert warnings[1] == f"Line 2:3: {LOOKUP_MV}"


def test_lookup_join_keeps_multi_valued_fields(storage: MemStorage) -> None:
    rows, _ = _lookup(storage, 2)
    assert rows == [(2, "German", ["Austria", "Germany"])]


def test_lookup_join_widens_key_types(storage: MemStorage) -> None:
    rows, _ = _lookup(storage, 4, t=T.LONG)
    assert rows == [(4, "Quenya", None)]


def test_enrich_geo_match_is_refused_not_answered_by_equality(storage: MemStorage) -> None:
    # an equality join on WKT text would give wrong (mostly null) rows without a word
    storage.add(
        "shapes",
        {"shape": T.GEO_SHAPE, "name": T.KEYWORD},
        {"shape": ["POINT (1.0 2.0)"], "name": ["p"]},
    )
    storage.enrich["shape_policy"] = EnrichPolicy(
        "shape_policy", "geo_match", ("shapes",), "shape", ("name",)
    )
    with pytest.raises(QueryExecutionError, match=r"\[shape_policy\] is of type \[geo_match\]"):
        _enrich(
            storage, "POINT (1.0 2.0)", T.GEO_POINT, "shape_policy", "geo_match", "shape", "name"
        )
