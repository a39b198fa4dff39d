"""Golden renderings of the per-cluster status table: one file per cluster status
(successful, partial, skipped, failed, running), at a fixed width with the failure
reasons wrapped, without colour; colour changes no character but the escapes.

Set ``ESQLSH_UPDATE_GOLDEN=1`` to rewrite the files after an intended change (then
read the diff)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from esqlsh.coordinator.clusters_info import (
    FAILED,
    PARTIAL,
    RUNNING,
    SKIPPED,
    STATUSES,
    SUCCESSFUL,
    ClustersInfo,
    failure,
    shards_of,
    unavailable_reason,
)
from esqlsh.render.status import render_status

GOLDEN = Path(__file__).parent / "golden" / "status"
WIDTH = 80
LOCAL = "querying"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ESQLSH_UPDATE_GOLDEN"):
        path.write_bytes(actual.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == actual


def with_remote(status: str) -> ClustersInfo:
    """The local cluster (successful) and ``cluster_one`` in ``status``, with the
    failures Elasticsearch reports for that status."""
    info = ClustersInfo.running(
        [(LOCAL, "my-index-000001", False), ("cluster_one", "my-index-000001,logs-*", True)]
    )
    info.finish(LOCAL, SUCCESSFUL, 41, shards=shards_of(13))
    if status == SUCCESSFUL:
        info.finish("cluster_one", SUCCESSFUL, 38, shards=shards_of(4))
    elif status == PARTIAL:
        info.finish(
            "cluster_one",
            PARTIAL,
            1207,
            shards=shards_of(18, skipped=1, failed=2),
            failures=[
                failure(
                    "connect_transport_exception",
                    "[127.0.0.1:9201] connection closed after [65536] bytes of the response",
                ),
                failure("task_cancelled_exception", "cancelled on the cluster's timeout"),
            ],
        )
    elif status == SKIPPED:
        info.finish(
            "cluster_one",
            SKIPPED,
            3,
            failures=[
                failure("connect_transport_exception", unavailable_reason("cluster_one", True))
            ],
        )
    elif status == FAILED:
        info.finish(
            "cluster_one",
            FAILED,
            12,
            failures=[
                failure(
                    "verification_exception",
                    "Found 1 problem\nline 1:35: Unknown column [http.response.status]",
                )
            ],
        )
    else:
        assert status == RUNNING  # cluster_one has not answered yet
    return info


@pytest.mark.parametrize("status", STATUSES)
def test_each_status(status: str) -> None:
    text = render_status(with_remote(status), LOCAL, width=WIDTH)
    check_golden(f"{status}.txt", text)
    assert all(len(line) <= WIDTH for line in text.splitlines())
    assert "\x1b" not in text
    assert text.splitlines()[3].startswith("│ (local) ")


@pytest.mark.parametrize("status", STATUSES)
def test_colour_only_adds_escapes(status: str) -> None:
    plain = render_status(with_remote(status), LOCAL, width=WIDTH)
    coloured = render_status(with_remote(status), LOCAL, width=WIDTH, color=True)
    assert "\x1b[" in coloured
    # (rich pads the caption inside its colour codes: blanks may trail there)
    assert [line.rstrip(" ") for line in ANSI.sub("", coloured).splitlines()] == (
        plain.splitlines()
    )


def test_failures_follow_a_table_too_wide_for_the_terminal() -> None:
    text = render_status(with_remote(SKIPPED), LOCAL, width=WIDTH)
    assert "failure" not in text.splitlines()[1]  # no failure column
    reason = unavailable_reason("cluster_one", True)
    notes = text.split("1 skipped\n", 1)[1].splitlines()
    assert len(notes) > 1 and all(line.startswith("    ") for line in notes[1:])
    assert " ".join(line.strip() for line in notes) == (
        f"cluster_one: [connect_transport_exception] {reason}"
    )


def test_failures_stay_in_their_column_when_it_fits() -> None:
    text = render_status(with_remote(SKIPPED), LOCAL, width=200)
    assert text.splitlines()[1].rstrip("│ ").endswith("failure")
    assert len(text.splitlines()) == 7  # header, rule, two rows, borders, caption


def test_every_status_in_one_table() -> None:
    info = ClustersInfo.running(
        [
            (LOCAL, "my-index-000001", False),
            ("cluster_one", "my-index-000001", True),
            ("cluster_two", "my-index*", True),
            ("cluster_three", "my-index*", True),
            ("cluster_four", "logs-*", False),
        ]
    )
    info.finish(LOCAL, SUCCESSFUL, 41, shards=shards_of(13))
    info.finish(
        "cluster_two",
        PARTIAL,
        40,
        shards=shards_of(18, skipped=1, failed=1),
        failures=[failure("exception", "shard [3] failed")],
    )
    info.finish(
        "cluster_three",
        SKIPPED,
        2,
        failures=[
            failure("connect_transport_exception", unavailable_reason("cluster_three", True))
        ],
    )
    info.finish(
        "cluster_four",
        FAILED,
        5,
        failures=[
            failure("security_exception", "unable to authenticate with provided credentials")
        ],
    )
    text = render_status(info, LOCAL, width=WIDTH)
    check_golden("all.txt", text)
    assert "\n5 clusters: 1 successful, 1 running, 1 partial, 1 skipped, 1 failed\n" in text
    assert all(len(line) <= WIDTH for line in text.splitlines())
    wide = render_status(info, LOCAL)
    check_golden("all-unwrapped.txt", wide)
    assert len(wide.splitlines()) == 5 + 5  # a line per cluster: nothing wraps
