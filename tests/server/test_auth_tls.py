"""API-key authentication and TLS of a real ``esqlsh serve`` subprocess (issue 3
acceptance).

With a key configured: no credentials → 401 ``security_exception`` ``missing
authentication credentials for REST request [<uri>]`` with Elasticsearch's
``WWW-Authenticate`` challenges; wrong credentials → 401 ``unable to authenticate
…``; the right key → 200, through raw ``requests`` and through the official
``elasticsearch`` client. The secret never reaches the node's stderr (access log).

With a certificate from a test CA (trustme): the official client given the CA
verifies and connects; without it, verification fails; plain HTTP to the TLS port
fails cleanly and the node keeps serving.
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import trustme
from elasticsearch import AuthenticationException, Elasticsearch, SSLError

from esqlsh.clusters.ingest import load_index
from tests.servers import Node, start_node

# Elasticsearch's encoded form of an API key: base64("id:secret"); clients send it
# as ``Authorization: ApiKey <encoded>``.
KEY_ID = "esqlsh-test"
KEY_SECRET = "s3cr3t-Vq8ZkL2pXw"
API_KEY = base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
WRONG_KEY = base64.b64encode(f"{KEY_ID}:not-the-secret".encode()).decode()
QUERY = {"query": "FROM people | STATS c = COUNT(*)"}


def make_cluster(root: Path) -> Path:
    csv = root / "people.csv"
    csv.write_text("name:keyword,age:integer\nann,31\nbob,42\ncy,27\n", encoding="utf-8")
    load_index(root / "cluster", "people", csv)
    return root / "cluster"


@dataclass
class Pki:
    ca_path: Path
    cert_path: Path
    key_path: Path


def make_pki(folder: Path) -> Pki:
    """A test CA and a certificate it signed for 127.0.0.1 / localhost."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    pki = Pki(folder / "ca.pem", folder / "node.pem", folder / "node.key")
    ca.cert_pem.write_to_path(str(pki.ca_path))
    for i, blob in enumerate(cert.cert_chain_pems):
        blob.write_to_path(str(pki.cert_path), append=i > 0)
    cert.private_key_pem.write_to_path(str(pki.key_path))
    return pki


@dataclass
class Nodes:
    keyed: Node  # http, API key required
    tls: Node  # https with the test CA's certificate, API key required
    pki: Pki


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nodes]:
    root = tmp_path_factory.mktemp("auth")
    cluster = make_cluster(root)
    pki = make_pki(root)
    # Started (and stopped) side by side: a node takes seconds to import its stack.
    with ThreadPoolExecutor(2) as pool:
        keyed = pool.submit(start_node, cluster, api_keys=(API_KEY,))
        tls = pool.submit(
            start_node, cluster, api_keys=(API_KEY,), tls=(pki.cert_path, pki.key_path)
        )
        started = Nodes(keyed.result(), tls.result(), pki)
    try:
        yield started
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Node.stop, (started.keyed, started.tls)))


@pytest.fixture(scope="module")
def keyed(nodes: Nodes) -> Node:
    return nodes.keyed


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {key}"}


def assert_401(reply: requests.Response, reason: str) -> None:
    assert reply.status_code == 401, reply.text
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    # Elasticsearch challenges with every scheme it accepts; API keys among them.
    challenges = reply.raw.headers.getlist("WWW-Authenticate")
    assert any(c.strip() == "ApiKey" or c.startswith("ApiKey") for c in challenges), challenges
    payload = reply.json()
    assert payload["status"] == 401
    error = payload["error"]
    assert error["type"] == "security_exception"
    assert error["root_cause"][0]["type"] == "security_exception"
    assert error["reason"] == reason, error["reason"]
    assert error["root_cause"][0]["reason"] == reason
    # The challenge is repeated in the body, under ``header``.
    assert "ApiKey" in str(error.get("header", {}).get("WWW-Authenticate")), error


# --- API keys ------------------------------------------------------------------------


def test_no_credentials(keyed: Node) -> None:
    reply = requests.post(keyed.url + "/_query", json=QUERY, timeout=10)
    assert_401(reply, "missing authentication credentials for REST request [/_query]")


def test_no_credentials_names_the_whole_uri(keyed: Node) -> None:
    reply = requests.post(keyed.url + "/_query?format=csv", json=QUERY, timeout=10)
    assert_401(reply, "missing authentication credentials for REST request [/_query?format=csv]")
    root = requests.get(keyed.url + "/", timeout=10)
    assert_401(root, "missing authentication credentials for REST request [/]")


def test_unknown_scheme_counts_as_no_credentials(keyed: Node) -> None:
    reply = requests.post(
        keyed.url + "/_query", json=QUERY, headers={"Authorization": "Token abc"}, timeout=10
    )
    assert_401(reply, "missing authentication credentials for REST request [/_query]")


@pytest.mark.parametrize(
    "key",
    [WRONG_KEY, API_KEY[:-4], API_KEY + "x", "%%%not-base64%%%"],
    ids=["wrong-secret", "truncated", "extended", "garbage"],
)
def test_wrong_key(keyed: Node, key: str) -> None:
    reply = requests.post(keyed.url + "/_query", json=QUERY, headers=auth(key), timeout=10)
    assert reply.status_code == 401, reply.text
    error = reply.json()["error"]
    assert error["type"] == "security_exception"
    assert error["reason"].startswith("unable to authenticate"), error["reason"]
    assert reply.raw.headers.getlist("WWW-Authenticate"), reply.headers


def test_wrong_key_wording(keyed: Node) -> None:
    reply = requests.post(keyed.url + "/_query", json=QUERY, headers=auth(WRONG_KEY), timeout=10)
    assert_401(
        reply,
        "unable to authenticate with provided credentials and anonymous access "
        "is not allowed for this request",
    )


def test_right_key_raw(keyed: Node) -> None:
    reply = requests.post(keyed.url + "/_query", json=QUERY, headers=auth(API_KEY), timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.headers.get("X-Elastic-Product") == "Elasticsearch"
    assert reply.json()["values"] == [[3]]
    root = requests.get(keyed.url + "/", headers=auth(API_KEY), timeout=10)
    assert root.status_code == 200
    assert root.json()["version"]["number"].startswith("9.1.")


def test_right_key_official_client(keyed: Node) -> None:
    with Elasticsearch(keyed.url, api_key=API_KEY) as client:
        assert client.info()["version"]["number"].startswith("9.1.")
        result = client.esql.query(query=QUERY["query"])
        assert result["values"] == [[3]]


def test_right_key_official_client_id_and_secret(keyed: Node) -> None:
    # The client's (id, secret) form encodes to the same header value.
    with Elasticsearch(keyed.url, api_key=(KEY_ID, KEY_SECRET)) as client:
        assert client.esql.query(query=QUERY["query"])["values"] == [[3]]


def test_wrong_key_official_client(keyed: Node) -> None:
    client = Elasticsearch(keyed.url, api_key=WRONG_KEY)
    with client, pytest.raises(AuthenticationException) as caught:
        client.esql.query(query=QUERY["query"])
    assert caught.value.meta.status == 401
    assert caught.value.error == "security_exception"


def test_no_key_official_client(keyed: Node) -> None:
    with Elasticsearch(keyed.url) as client, pytest.raises(AuthenticationException) as caught:
        client.info()
    assert caught.value.meta.status == 401


def test_basic_auth_with_the_key_as_password(keyed: Node) -> None:
    reply = requests.post(keyed.url + "/_query", json=QUERY, auth=("elastic", API_KEY), timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.json()["values"] == [[3]]
    with Elasticsearch(keyed.url, basic_auth=("elastic", API_KEY)) as client:
        assert client.esql.query(query=QUERY["query"])["values"] == [[3]]


def test_wrong_basic_credentials(keyed: Node) -> None:
    """Basic credentials the node does not know are refused as Elasticsearch's
    realms refuse them."""
    reply = requests.post(
        keyed.url + "/_query", json=QUERY, auth=("elastic", KEY_SECRET), timeout=10
    )
    assert reply.status_code == 401, reply.text
    error = reply.json()["error"]
    assert error["type"] == "security_exception"
    assert error["reason"] == "unable to authenticate user [elastic] for REST request [/_query]"


def test_secrets_never_logged(keyed: Node) -> None:
    """Runs after the requests above (wrong keys, right key, basic credentials)."""
    basic = base64.b64encode(f"elastic:{KEY_SECRET}".encode()).decode()
    good_basic = base64.b64encode(f"elastic:{API_KEY}".encode()).decode()
    requests.post(keyed.url + "/_query", json=QUERY, auth=("elastic", API_KEY), timeout=10)
    requests.post(keyed.url + "/_query", json=QUERY, headers=auth(WRONG_KEY), timeout=10)
    requests.post(keyed.url + "/_query", json=QUERY, headers=auth(API_KEY), timeout=10)
    requests.get(keyed.url + "/", headers={"Authorization": f"Basic {basic}"}, timeout=10)
    log = wait_for_log(keyed, 'GET /" 401')
    assert '"POST /_query" 200' in log and '"POST /_query" 401' in log, log[-2000:]
    for secret in (API_KEY, WRONG_KEY, KEY_SECRET, basic, good_basic, "not-the-secret"):
        assert secret not in log, f"a credential leaked into stderr: {secret[:4]}…"


def wait_for_log(node: Node, needle: str, timeout: float = 5.0) -> str:
    """The node's stderr once ``needle`` is in it (the access log line of a request
    is written as its answer goes out, read by another thread)."""
    deadline = time.monotonic() + timeout
    while needle not in node.stderr and time.monotonic() < deadline:
        time.sleep(0.02)
    return node.stderr


# --- TLS -----------------------------------------------------------------------------


def test_tls_url_is_https(nodes: Nodes) -> None:
    assert nodes.tls.url.startswith("https://127.0.0.1:")


def test_tls_client_with_ca_verifies_and_connects(nodes: Nodes) -> None:
    ca = str(nodes.pki.ca_path)
    with Elasticsearch(nodes.tls.url, api_key=API_KEY, ca_certs=ca) as client:
        assert client.info()["version"]["number"].startswith("9.1.")
        assert client.esql.query(query=QUERY["query"])["values"] == [[3]]
    url = nodes.tls.url + "/_query"
    reply = requests.post(url, json=QUERY, headers=auth(API_KEY), verify=ca, timeout=10)
    assert reply.status_code == 200 and reply.json()["values"] == [[3]]
    # Over TLS the key is still required.
    anonymous = requests.post(url, json=QUERY, verify=ca, timeout=10)
    assert_401(anonymous, "missing authentication credentials for REST request [/_query]")


def test_tls_client_without_ca_fails_verification(nodes: Nodes) -> None:
    with Elasticsearch(nodes.tls.url, max_retries=0) as client, pytest.raises(SSLError) as caught:
        client.info()
    assert "CERTIFICATE_VERIFY_FAILED" in repr(caught.value), repr(caught.value)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(nodes.tls.url + "/", timeout=10)


def test_tls_python_ssl_without_ca(nodes: Nodes) -> None:
    """The handshake itself is refused by a default context (system CAs only)."""
    context = ssl.create_default_context()
    host, port = "127.0.0.1", nodes.tls.port
    sock = socket.create_connection((host, port), timeout=10)
    with sock, pytest.raises(ssl.SSLCertVerificationError):
        context.wrap_socket(sock, server_hostname=host)


def test_plain_http_to_tls_port_fails_cleanly(nodes: Nodes) -> None:
    plain = nodes.tls.url.replace("https://", "http://")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(plain + "/", timeout=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(plain + "/_query", json=QUERY, timeout=5)
    # ... and the node keeps serving TLS.
    reply = requests.get(
        nodes.tls.url + "/", headers=auth(API_KEY), verify=str(nodes.pki.ca_path), timeout=10
    )
    assert reply.status_code == 200
    assert nodes.tls.running


def test_tls_node_stops_gracefully_and_promptly(nodes: Nodes) -> None:
    """Runs last: SIGTERM ends the node well within its grace period even while a
    client (as a coordinator's session would) keeps an idle TLS connection open,
    and without uvicorn errors on stderr."""
    client = Elasticsearch(nodes.tls.url, api_key=API_KEY, ca_certs=str(nodes.pki.ca_path))
    try:
        client.info()  # leaves a kept-alive connection in the client's pool
        started = time.monotonic()
        status = nodes.tls.stop()
        elapsed = time.monotonic() - started
    finally:
        client.close()
    assert status == 0
    assert "ERROR" not in nodes.tls.stderr, nodes.tls.stderr[-2000:]
    assert elapsed < 3.0, f"stopping took {elapsed:.1f} s"
