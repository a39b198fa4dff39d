"""FROM, ROW, SHOW INFO: schemas and index resolution errors."""

from __future__ import annotations

import pytest

from esqlsh.analysis.sources import NoSuchRemoteClusterError
from esqlsh.errors import ParsingError
from esqlsh.plan.logical import Relation, RowSource
from tests.analysis.astbuild import Q
from tests.analysis.helpers import error_of, plan_of, schema_of


def test_from_sorts_columns_by_name_and_appends_metadata_in_order() -> None:
    q = Q("FROM languages METADATA _version, _index")
    plan = plan_of(q.query(q.from_(q.text, "languages", metadata=("_version", "_index"))))
    assert schema_of(plan) == [
        "language_code:keyword",
        "language_name:keyword",
        "_version:long",
        "_index:keyword",
    ]
    relation = plan.nodes[0]
    assert isinstance(relation, Relation)
    assert relation.indices == ("languages",) and relation.metadata == ("_version", "_index")


def test_unknown_index_names_the_whole_expression_at_from() -> None:
    q = Q("FROM nope, other*")
    assert (
        error_of(q.query(q.from_(q.text, "nope", "other*"))) == "1:1: Unknown index [nope,other*]"
    )


def test_missing_concrete_index_beside_a_matching_one_is_ignored() -> None:
    q = Q("FROM languages, nope")
    plan = plan_of(q.query(q.from_(q.text, "languages", "nope")))
    assert plan.nodes[0].indices == ("languages",)  # type: ignore[union-attr]


def test_union_of_indices_makes_conflicting_fields_unsupported() -> None:
    q = Q("FROM logs-*")
    plan = plan_of(q.query(q.from_(q.text, "logs-*")))
    assert schema_of(plan) == [
        "@timestamp:date",
        "bytes:long",
        "client_ip:unsupported",
        "message:keyword",
    ]


def test_using_a_conflicting_field_is_an_error() -> None:
    q = Q("FROM logs-* | WHERE client_ip IS NULL")
    query = q.query(
        q.from_("FROM logs-*", "logs-*"),
        q.where(
            "WHERE client_ip IS NULL",
            __import__("esqlsh.syntax.ast", fromlist=["IsNull"]).IsNull(
                q.f("client_ip"), False, q.s("client_ip IS NULL")
            ),
        ),
    )
    assert error_of(query) == (
        "1:21: Cannot use field [client_ip] due to ambiguities being mapped as [2] incompatible "
        "types: [ip] in [logs-a], [keyword] in [logs-b]"
    )


def test_cluster_prefix_is_not_known_to_a_single_cluster_catalog() -> None:
    q = Q("FROM remote:logs")
    with pytest.raises(NoSuchRemoteClusterError, match=r"no such remote cluster: \[remote\]"):
        plan_of(q.query(q.from_(q.text, "remote:logs")))


def test_unknown_metadata_field_is_a_parsing_error() -> None:
    q = Q("FROM languages METADATA _nope")
    with pytest.raises(ParsingError):
        plan_of(q.query(q.from_(q.text, "languages", metadata=("_nope",))))


def test_row_types_and_duplicate_names_are_all_kept() -> None:
    q = Q('ROW a = 1, b = 3000000000, c = 18446744073709551615, d = 1.5, a = "x", -2147483648')
    query = q.query(
        q.row(
            q.text,
            q.assign("a = 1", "a", q.lit("1")),
            q.assign("b = 3000000000", "b", q.lit("3000000000")),
            q.assign("c = 18446744073709551615", "c", q.lit("18446744073709551615")),
            q.assign("d = 1.5", "d", q.lit("1.5")),
            q.assign('a = "x"', "a", q.lit('"x"')),
            q.assign("-2147483648", None, q.neg("-2147483648", q.lit("2147483648"))),
        )
    )
    plan = plan_of(query)
    assert schema_of(plan) == [
        "a:integer",
        "b:long",
        "c:unsigned_long",
        "d:double",
        "a:keyword",
        "-2147483648:integer",
    ]
    row = plan.nodes[0]
    assert isinstance(row, RowSource)
    assert [name for name, _ in row.fields] == ["a", "b", "c", "d", "a", "-2147483648"]


def test_row_list_literal_takes_the_widest_numeric_type() -> None:
    from esqlsh.syntax import ast

    q = Q("ROW ul = [9223372036854775808, 1]")
    items = (q.lit("9223372036854775808"), q.lit("1"))
    lst = ast.ListLiteral(items, q.s("[9223372036854775808, 1]"))
    plan = plan_of(q.query(q.row(q.text, q.assign("ul = [9223372036854775808, 1]", "ul", lst))))
    assert schema_of(plan) == ["ul:unsigned_long"]
    row = plan.nodes[0]
    assert isinstance(row, RowSource)
    assert row.fields[0][1].value == [9223372036854775808, 1]  # type: ignore[union-attr]


def test_row_cannot_hold_a_time_span() -> None:
    q = Q("row a = 1 day")
    query = q.query(q.row(q.text, q.assign("a = 1 day", "a", q.span("1 day", 1, "day"))))
    assert error_of(query) == "1:9: cannot use [1 day] directly in a row assignment"


def test_unknown_time_unit_is_a_parsing_error() -> None:
    q = Q("row a = 1 fortnight")
    query = q.query(
        q.row(q.text, q.assign("a = 1 fortnight", "a", q.span("1 fortnight", 1, "fortnight")))
    )
    assert error_of(query) == "1:9: Unexpected temporal unit: 'fortnight'"


def test_show_info() -> None:
    from esqlsh.syntax import ast

    q = Q("SHOW INFO")
    plan = plan_of(q.query(ast.ShowInfo(q.s(q.text))))
    assert schema_of(plan) == ["version:keyword", "date:keyword", "hash:keyword"]
