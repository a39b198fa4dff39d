"""The per-cluster status table: exact text without colour, styles with it."""

from __future__ import annotations

from esqlsh.coordinator.clusters_info import (
    PARTIAL,
    SKIPPED,
    SUCCESSFUL,
    ClustersInfo,
    failure,
    shards_of,
    unavailable_reason,
)
from esqlsh.render.status import (
    failure_text,
    render_status,
    row_cells,
    shards_text,
    status_table,
    summary,
)


def sample() -> ClustersInfo:
    info = ClustersInfo.running(
        [
            ("home", "logs-*", False),
            ("cluster_one", "logs-*", True),
            ("cluster_two", "x*", True),
            ("cluster_three", "logs", True),
        ]
    )
    info.finish("home", SUCCESSFUL, 41, shards=shards_of(13))
    reason = unavailable_reason("cluster_one", True)
    info.finish(
        "cluster_one", SKIPPED, 3, failures=[failure("connect_transport_exception", reason)]
    )
    info.finish(
        "cluster_two",
        PARTIAL,
        7,
        shards=shards_of(4, skipped=1, failed=1),
        failures=[failure("a", "first"), failure("b", "second")],
    )
    return info


EXPECTED = """\
┌───────────────┬────────────┬─────────┬───────┬──────────────────────────┬──────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
│ cluster       │ status     │ indices │  took │ shards                   │ failure                                                                                                          │
├───────────────┼────────────┼─────────┼───────┼──────────────────────────┼──────────────────────────────────────────────────────────────────────────────────────────────────────────────────┤
│ (local)       │ successful │ logs-*  │ 41 ms │ 13/13                    │                                                                                                                  │
│ cluster_one   │ skipped    │ logs-*  │  3 ms │ 0/0                      │ [connect_transport_exception] Remote cluster [cluster_one] (with setting skip_unavailable=true) is not available │
│ cluster_two   │ partial    │ x*      │  7 ms │ 2/4, 1 skipped, 1 failed │ [a] first                                                                                                        │
│               │            │         │       │                          │ [b] second                                                                                                       │
│ cluster_three │ running    │ logs    │       │                          │                                                                                                                  │
└───────────────┴────────────┴─────────┴───────┴──────────────────────────┴──────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘
4 clusters: 1 successful, 1 running, 1 partial, 1 skipped
"""


def test_plain_table() -> None:
    assert render_status(sample(), "home") == EXPECTED


def test_no_trailing_blanks() -> None:
    assert all(line == line.rstrip(" ") for line in render_status(sample(), "home").splitlines())


def test_colours_follow_the_status() -> None:
    text = render_status(sample(), "home", color=True)
    assert "\x1b[32msuccessful" in text  # green
    assert "\x1b[33mskipped" in text and "\x1b[33mpartial" in text  # yellow
    assert "\x1b[36mrunning" in text  # cyan


def test_width_wraps_the_failure_column() -> None:
    text = render_status(sample(), "home", width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "Remote cluster" in text


def test_cells() -> None:
    info = sample()
    assert row_cells(info["home"], "home")[0] == "(local)"
    assert row_cells(info["home"], None)[0] == "home"
    assert row_cells(info["cluster_three"], "home") == (
        "cluster_three",
        "running",
        "logs",
        "",
        "",
        "",
    )
    assert failure_text(info["cluster_two"]) == "[a] first\n[b] second"
    assert shards_text({}) == ""
    assert shards_text(shards_of(3)) == "3/3"


def test_summary_and_the_rich_table() -> None:
    info = sample()
    assert summary(info) == "4 clusters: 1 successful, 1 running, 1 partial, 1 skipped"
    one = ClustersInfo.running([("a", "x", True)])
    assert summary(one) == "1 cluster: 1 running"
    table = status_table(info, "home")
    assert table.row_count == 4
    assert [c.header for c in table.columns] == [
        "cluster",
        "status",
        "indices",
        "took",
        "shards",
        "failure",
    ]
