"""``_clusters``: entries, counts, the JSON Elasticsearch prints, and the listener."""

from __future__ import annotations

import threading

from esqlsh.coordinator.clusters_info import (
    LOCAL_LABEL,
    PARTIAL,
    RUNNING,
    SKIPPED,
    SUCCESSFUL,
    ClusterInfo,
    ClustersInfo,
    clusters_from_json,
    failure,
    failure_of,
    no_shards,
    shards_of,
    unavailable_reason,
)
from esqlsh.errors import ClusterUnavailableError, RemoteError


def three() -> ClustersInfo:
    return ClustersInfo.running(
        [
            ("loc", "my-index-000001", False),
            ("cluster_one", "my-index-000001", True),
            ("cluster_two", "my-index*", True),
        ]
    )


def test_running_entries_have_no_took_and_no_shards() -> None:
    info = three()
    assert [e.status for e in info.details.values()] == [RUNNING] * 3
    body = info.to_json("loc")
    assert body["details"]["(local)"] == {"status": "running", "indices": "my-index-000001"}
    assert (body["total"], body["running"], body["successful"]) == (3, 3, 0)


def test_to_json_matches_elasticsearch_shape_and_order() -> None:
    info = three()
    info.finish("loc", SUCCESSFUL, 41, shards=shards_of(13))
    info.finish("cluster_one", SUCCESSFUL, 38, shards=shards_of(4))
    info.finish("cluster_two", SUCCESSFUL, 40, shards=shards_of(18, skipped=1))
    body = info.to_json("loc")
    assert list(body) == [
        "total",
        "successful",
        "running",
        "skipped",
        "partial",
        "failed",
        "details",
    ]
    assert body == {
        "total": 3,
        "successful": 3,
        "running": 0,
        "skipped": 0,
        "partial": 0,
        "failed": 0,
        "details": {
            "(local)": {
                "status": "successful",
                "indices": "my-index-000001",
                "took": 41,
                "_shards": {"total": 13, "successful": 13, "skipped": 0, "failed": 0},
            },
            "cluster_one": {
                "status": "successful",
                "indices": "my-index-000001",
                "took": 38,
                "_shards": {"total": 4, "successful": 4, "skipped": 0, "failed": 0},
            },
            "cluster_two": {
                "status": "successful",
                "indices": "my-index*",
                "took": 40,
                "_shards": {"total": 18, "successful": 17, "skipped": 1, "failed": 0},
            },
        },
    }
    assert list(body["details"]["cluster_two"]["_shards"]) == [
        "total",
        "successful",
        "skipped",
        "failed",
    ]
    assert not info.is_partial and not info.has_problem


def test_skipped_entry_has_zero_shards_and_its_failure() -> None:
    info = three()
    entry = failure("connect_transport_exception", unavailable_reason("cluster_one", True))
    info.finish("cluster_one", SKIPPED, 3, failures=[entry])
    details = info.to_json("loc")["details"]["cluster_one"]
    assert details == {
        "status": "skipped",
        "indices": "my-index-000001",
        "took": 3,
        "_shards": no_shards(),
        "failures": [
            {
                "shard": -1,
                "index": None,
                "reason": {
                    "type": "connect_transport_exception",
                    "reason": "Remote cluster [cluster_one] (with setting skip_unavailable=true) "
                    "is not available",
                },
            }
        ],
    }
    assert info.is_partial and info.has_problem
    assert info.to_json("loc")["skipped"] == 1


def test_unavailable_reason_names_the_setting() -> None:
    assert unavailable_reason("c", False) == (
        "Remote cluster [c] (with setting skip_unavailable=false) is not available"
    )


def test_partial_counts_and_makes_the_result_partial() -> None:
    info = three()
    info.finish("cluster_two", PARTIAL, 9, shards=shards_of(1))
    assert info.count(PARTIAL) == 1 and info.is_partial


def test_first_final_status_wins() -> None:
    info = three()
    info.finish("cluster_one", SUCCESSFUL, 5, shards=shards_of(1))
    info.finish("cluster_one", SKIPPED, 50, failures=[failure("x", "late")])
    entry = info["cluster_one"]
    assert (entry.status, entry.took, entry.failures) == (SUCCESSFUL, 5, [])


def test_update_overrides_a_final_status() -> None:
    info = three()
    info.finish("cluster_two", SUCCESSFUL, 1)
    info.update("cluster_two", status=SKIPPED)
    assert info["cluster_two"].status == SKIPPED


def test_local_is_none_keeps_every_alias() -> None:
    info = three()
    assert set(info.to_json(None)["details"]) == {"loc", "cluster_one", "cluster_two"}
    assert LOCAL_LABEL not in info.to_json(None)["details"]


def test_failure_of_keeps_the_error_type_and_reason() -> None:
    remote = RemoteError("[x] missing", alias="c1", type="index_not_found_exception", status=404)
    assert failure_of(remote)["reason"] == {
        "type": "index_not_found_exception",
        "reason": "[x] missing",
    }
    unavailable = ClusterUnavailableError("refused", alias="c1")
    assert failure_of(unavailable)["reason"]["type"] == "connect_transport_exception"
    assert failure_of(ValueError("boom"))["reason"] == {"type": "exception", "reason": "boom"}


def test_listener_sees_every_change_as_a_copy() -> None:
    seen: list[ClusterInfo] = []
    info = ClustersInfo.running([("a", "x", True), ("b", "y", True)], listener=seen.append)
    info.finish("a", SUCCESSFUL, 1, shards=shards_of(2))
    assert [(e.alias, e.status) for e in seen] == [
        ("a", RUNNING),
        ("b", RUNNING),
        ("a", SUCCESSFUL),
    ]
    seen[-1].shards["total"] = 99
    assert info["a"].shards["total"] == 2


def test_updates_from_many_threads_are_all_kept() -> None:
    aliases = [f"c{i}" for i in range(50)]
    info = ClustersInfo.running([(a, "x", True) for a in aliases])
    threads = [
        threading.Thread(target=info.finish, args=(a, SUCCESSFUL, i)) for i, a in enumerate(aliases)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert info.count(SUCCESSFUL) == 50


def test_from_json_round_trips_and_names_the_answering_cluster() -> None:
    info = three()
    info.finish("loc", SUCCESSFUL, 41, shards=shards_of(13))
    info.finish("cluster_one", SKIPPED, 2, failures=[failure("t", "r")])
    body = info.to_json("loc")
    back = clusters_from_json(body, "loc")
    assert back.to_json("loc") == body
    assert list(back.details) == ["loc", "cluster_one", "cluster_two"]
