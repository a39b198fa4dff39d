"""Analyzer test fixtures: a small catalog shaped like Elasticsearch's test indices."""

from __future__ import annotations

import pytest

from esqlsh.analysis.types import DataType as T
from tests.analysis.memcatalog import MemCatalog

EMPLOYEES = {
    "emp_no": T.INTEGER,
    "first_name": T.KEYWORD,
    "last_name": T.KEYWORD,
    "gender": T.KEYWORD,
    "salary": T.INTEGER,
    "languages": T.INTEGER,
    "languages.byte": T.INTEGER,
    "languages.long": T.LONG,
    "languages.short": T.INTEGER,
    "hire_date": T.DATETIME,
    "height": T.DOUBLE,
    "still_hired": T.BOOLEAN,
    "job_positions": T.KEYWORD,
    "salary_change": T.DOUBLE,
    "location": T.GEO_POINT,
    "ul": T.UNSIGNED_LONG,
}


def make_catalog() -> MemCatalog:
    cat = MemCatalog()
    cat.add("test", EMPLOYEES)
    cat.add("employees", EMPLOYEES)
    cat.add(
        "languages_lookup", {"language_code": T.INTEGER, "language_name": T.KEYWORD}, mode="lookup"
    )
    cat.add(
        "languages_lookup_non_unique_key",
        {
            "language_code": T.INTEGER,
            "language_name": T.KEYWORD,
            "country": T.TEXT,
            "country.keyword": T.KEYWORD,
        },
        mode="lookup",
    )
    cat.add("languages", {"language_code": T.KEYWORD, "language_name": T.KEYWORD})
    cat.add("logs-a", {"client_ip": T.IP, "message": T.KEYWORD, "@timestamp": T.DATETIME})
    cat.add("logs-b", {"client_ip": T.KEYWORD, "message": T.KEYWORD, "bytes": T.LONG})
    cat.add("hosts", {"ip": T.IP, "host_name": T.KEYWORD, "os": T.KEYWORD})
    cat.add_policy("languages_policy", "match", "languages", "language_code", ("language_name",))
    cat.add_policy("hosts_policy", "match", "hosts", "ip", ("host_name", "os"))
    cat.add_policy("ages_policy", "range", "hosts", "ip", ("os",))
    return cat


@pytest.fixture
def catalog() -> MemCatalog:
    return make_catalog()
