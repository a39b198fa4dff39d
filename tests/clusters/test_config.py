"""The YAML config: values, defaults, ${VAR} expansion, every error's file:line:key,
secrets that never print, the readable-file warning, and where the file is found."""

from __future__ import annotations

import base64
import copy
import json
import os
import pickle
from collections.abc import Mapping
from pathlib import Path

import pytest

from esqlsh.clusters.base import EnrichPolicy
from esqlsh.clusters.config import (
    ClusterSpec,
    Config,
    Secret,
    decode_cloud_id,
    default_config,
    expand,
    load_config,
    locate_config,
    read_config,
)
from esqlsh.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SENTINEL = "s3cr3t-SENTINEL-value"
# base64("eu-west-1.aws.found.io$es-uuid$kibana-uuid")
CLOUD_ID = "prod:" + base64.b64encode(b"eu-west-1.aws.found.io$es-uuid$kibana-uuid").decode()

EMBEDDED_LOCAL = """\
local: here
clusters:
  here:
    type: embedded
    path: ./data
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def load(tmp_path: Path, text: str, env: Mapping[str, str] | None = None) -> Config:
    return load_config(write(tmp_path, text), env or {})


def error(tmp_path: Path, text: str, env: Mapping[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text, env)
    return str(info.value)


def es(settings: str, alias: str = "one") -> str:
    """A config with an embedded local cluster and one elasticsearch cluster
    whose settings start on line 7 (``settings`` is indented by the caller)."""
    return EMBEDDED_LOCAL + f"  {alias}:\n    type: elasticsearch\n" + settings


def assert_at(message: str, line: int, key: str) -> None:
    assert f"config.yaml:{line}: {key}: " in message, message


# --- values and defaults -------------------------------------------------------------


def test_embedded_cluster_with_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, EMBEDDED_LOCAL)
    assert config.local == "here"
    assert config.path == tmp_path / "config.yaml"
    assert config.warnings == ()
    spec = config.clusters["here"]
    assert spec == ClusterSpec(
        alias="here",
        type="embedded",
        path=tmp_path / "data",
        origin=f"{tmp_path / 'config.yaml'}:3",
    )
    assert spec.skip_unavailable is True
    assert spec.timeout == 30.0
    assert spec.verify_certs is True
    assert config.remotes() == []


def test_clusters_keep_file_order_and_remotes_exclude_local(tmp_path: Path) -> None:
    text = """\
clusters:
  b: {type: embedded, path: /b}
  here: {type: embedded, path: /h}
  a: {type: embedded, path: /a}
local: here
"""
    config = load(tmp_path, text)
    assert list(config.clusters) == ["b", "here", "a"]
    assert config.remotes() == ["b", "a"]


def test_local_is_optional(tmp_path: Path) -> None:
    config = load(tmp_path, "clusters:\n  c1: {type: embedded, path: /x}\n")
    assert config.local is None
    assert config.remotes() == ["c1"]


def test_path_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    text = """\
clusters:
  rel: {type: embedded, path: sub/dir}
  abs: {type: embedded, path: /srv/data}
  home: {type: embedded, path: ~/esql}
"""
    config = load(tmp_path, text)
    assert config.clusters["rel"].path == tmp_path / "sub" / "dir"
    assert config.clusters["abs"].path == Path("/srv/data")
    assert config.clusters["home"].path == tmp_path / "home" / "esql"


def test_relative_config_path_resolves_against_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, EMBEDDED_LOCAL)
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("config.yaml"), {})
    assert config.clusters["here"].path == tmp_path / "data"


def test_elasticsearch_cluster_settings(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x")
    config = load(
        tmp_path,
        es(
            "    hosts: [https://es1:9200/, http://es2]\n"
            "    api_key: abc==\n"
            "    ca_certs: ca.pem\n"
            "    verify_certs: false\n"
            "    skip_unavailable: no\n"
            "    timeout: 2m\n"
        ),
    )
    spec = config.clusters["one"]
    assert spec.type == "elasticsearch"
    assert spec.hosts == ("https://es1:9200", "http://es2")
    assert spec.api_key == Secret("abc==")
    assert spec.ca_certs == tmp_path / "ca.pem"
    assert spec.verify_certs is False
    assert spec.skip_unavailable is False
    assert spec.timeout == 120.0
    assert spec.origin.endswith("config.yaml:6")
    assert spec.describe() == "https://es1:9200, http://es2 (api key, certificates not verified)"


def test_hosts_may_be_one_string(tmp_path: Path) -> None:
    spec = load(tmp_path, es("    hosts: https://es1:9200\n")).clusters["one"]
    assert spec.hosts == ("https://es1:9200",)
    assert spec.describe() == "https://es1:9200 (no auth)"


def test_url_with_a_path_prefix_is_kept(tmp_path: Path) -> None:
    spec = load(tmp_path, es("    hosts: https://proxy/es/\n")).clusters["one"]
    assert spec.hosts == ("https://proxy/es",)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("500ms", 0.5), ("2m", 120.0), ("1h", 3600.0), ("10", 10.0), ("2.5", 2.5)],
)
def test_timeouts(tmp_path: Path, text: str, seconds: float) -> None:
    spec = load(tmp_path, es(f"    hosts: http://h\n    timeout: {text}\n")).clusters["one"]
    assert spec.timeout == seconds


def test_quoted_number_timeout_is_seconds(tmp_path: Path) -> None:
    spec = load(tmp_path, es('    hosts: http://h\n    timeout: "45"\n')).clusters["one"]
    assert spec.timeout == 45.0


def test_username_and_password(tmp_path: Path) -> None:
    spec = load(tmp_path, es("    hosts: http://h\n    username: elastic\n    password: pw\n"))
    one = spec.clusters["one"]
    assert one.username == "elastic"
    assert one.password is not None and one.password.reveal() == "pw"
    assert one.describe() == "http://h (user elastic)"


def test_numeric_password_is_text(tmp_path: Path) -> None:
    spec = load(tmp_path, es("    hosts: http://h\n    username: u\n    password: 123456\n"))
    password = spec.clusters["one"].password
    assert password is not None and password.reveal() == "123456"


def test_bearer(tmp_path: Path) -> None:
    spec = load(tmp_path, es("    hosts: http://h\n    bearer: tok\n")).clusters["one"]
    assert spec.bearer is not None and spec.bearer.reveal() == "tok"
    assert spec.describe() == "http://h (bearer token)"


def test_api_key_id_and_key_pair_is_encoded(tmp_path: Path) -> None:
    spec = load(tmp_path, es("    hosts: http://h\n    api_key: myid:mykey\n")).clusters["one"]
    assert spec.api_key is not None
    assert spec.api_key.reveal() == base64.b64encode(b"myid:mykey").decode()


def test_cloud_id(tmp_path: Path) -> None:
    spec = load(tmp_path, es(f"    cloud_id: {CLOUD_ID}\n")).clusters["one"]
    assert spec.cloud_id == CLOUD_ID
    assert spec.hosts == ("https://es-uuid.eu-west-1.aws.found.io:443",)


def test_decode_cloud_id_forms() -> None:
    def encoded(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    assert decode_cloud_id("n:" + encoded("host.io$es$kb")) == "https://es.host.io:443"
    assert decode_cloud_id(encoded("host.io$es$kb")) == "https://es.host.io:443"
    assert decode_cloud_id("n:" + encoded("host.io:9243$es$kb")) == "https://es.host.io:9243"
    assert decode_cloud_id("n:" + encoded("host.io$es:9244$kb")) == "https://es.host.io:9244"
    assert decode_cloud_id("n:" + encoded("host.io$es")) == "https://es.host.io:443"
    assert decode_cloud_id("n:" + encoded("host.io")) is None
    assert decode_cloud_id("n:" + encoded("$es$kb")) is None
    assert decode_cloud_id("n:" + encoded("host.io:x$es$kb")) is None
    assert decode_cloud_id("n:!!!") is None


def test_yaml_merge_keys_and_x_keys_for_anchors(tmp_path: Path) -> None:
    text = """\
x-remote: &remote
  type: elasticsearch
  timeout: 5s
clusters:
  a:
    <<: *remote
    hosts: http://a
  b:
    <<: *remote
    hosts: http://b
    timeout: 9s
"""
    config = load(tmp_path, text)
    assert config.clusters["a"].timeout == 5.0
    assert config.clusters["a"].hosts == ("http://a",)
    assert config.clusters["b"].timeout == 9.0
    message = error(tmp_path, text.replace("x-remote", "defaults"))
    assert_at(message, 1, "defaults")
    assert "unknown key" in message


# --- ${VAR} ---------------------------------------------------------------------------


def test_expand_forms() -> None:
    env = {"A": "1", "EMPTY": ""}
    assert expand("x${A}y", env) == "x1y"
    assert expand("${A}${A}", env) == "11"
    assert expand("${B:-dflt}", env) == "dflt"
    assert expand("${EMPTY:-dflt}", env) == "dflt"
    assert expand("${A:-dflt}", env) == "1"
    assert expand("${B:-}", env) == ""
    assert expand("${EMPTY}", env) == ""
    assert expand("$${A} $A", env) == "${A} $A"
    with pytest.raises(ConfigError, match="environment variable B is not set"):
        expand("${B}", env)
    for bad in ("${", "${1A}", "${A B}", "${}", "x${A"):
        with pytest.raises(ConfigError, match="malformed"):
            expand(bad, env)


def test_variables_expand_in_any_string(tmp_path: Path) -> None:
    text = """\
local: ${LOCAL_NAME:-here}
clusters:
  here:
    type: ${KIND}
    path: ${DATA}/x
  one:
    type: elasticsearch
    hosts: ["${ES_URL}", "http://${HOST2:-h2}:9200"]
    api_key: ${KEY}
    verify_certs: ${VERIFY:-false}
    timeout: ${TIMEOUT:-2m}
    skip_unavailable: "${SKIP}"
"""
    env = {"KIND": "embedded", "DATA": "/d", "ES_URL": "https://es", "KEY": "k", "SKIP": "false"}
    config = load(tmp_path, text, env)
    assert config.local == "here"
    assert config.clusters["here"].path == Path("/d/x")
    one = config.clusters["one"]
    assert one.hosts == ("https://es", "http://h2:9200")
    assert one.api_key == Secret("k")
    assert one.verify_certs is False
    assert one.timeout == 120.0
    assert one.skip_unavailable is False


def test_unset_variable_names_file_line_key_and_variable(tmp_path: Path) -> None:
    message = error(tmp_path, es("    hosts: http://h\n    api_key: ${CLUSTER_ONE_API_KEY}\n"))
    assert_at(message, 9, "clusters.one.api_key")
    assert "environment variable CLUSTER_ONE_API_KEY is not set" in message


def test_malformed_reference(tmp_path: Path) -> None:
    message = error(tmp_path, es("    hosts: http://h\n    api_key: ${not valid}\n"))
    assert_at(message, 9, "clusters.one.api_key")
    assert "malformed ${...} reference" in message
    assert "not valid" not in message


def test_variable_in_flow_list_needs_quotes(tmp_path: Path) -> None:
    message = error(tmp_path, es("    hosts: [${ES_URL}]\n"), {"ES_URL": "http://h"})
    assert "config.yaml:8:" in message
    assert "quote values that use ${...}" in message


def test_expanded_values_are_validated(tmp_path: Path) -> None:
    message = error(tmp_path, es("    hosts: http://h\n    timeout: ${T}\n"), {"T": "soon"})
    assert_at(message, 9, "clusters.one.timeout")
    assert (
        "expected a duration like 30s, 500ms or 2m, got '${T}' (its value is not shown)" in message
    )
    assert "soon" not in message


# --- errors: every one names file, line and key ---------------------------------------


@pytest.mark.parametrize(
    ("settings", "line", "key", "words"),
    [
        (
            "    hosts: http://h\n    timeout: soon\n",
            9,
            "clusters.one.timeout",
            "expected a duration like 30s, 500ms or 2m, got 'soon'",
        ),
        ("    hosts: http://h\n    timeout: 0\n", 9, "clusters.one.timeout", "positive duration"),
        ("    hosts: http://h\n    timeout: -1s\n", 9, "clusters.one.timeout", "got '-1s'"),
        ("    hosts: http://h\n    timeout: true\n", 9, "clusters.one.timeout", "got 'true'"),
        ("    hosts: http://h\n    timeout:\n", 9, "clusters.one.timeout", "got nothing"),
        (
            "    hosts: http://h\n    timout: 3s\n",
            9,
            "clusters.one.timout",
            "unknown key; did you mean 'timeout'?",
        ),
        (
            "    hosts: http://h\n    verify_certs: sure\n",
            9,
            "clusters.one.verify_certs",
            "expected true or false, got 'sure'",
        ),
        (
            "    hosts: http://h\n    skip_unavailable: 1\n",
            9,
            "clusters.one.skip_unavailable",
            "expected true or false, got '1'",
        ),
        (
            "    hosts: es1:9200\n",
            8,
            "clusters.one.hosts",
            "expected an http:// or https:// URL like https://es1:9200, got 'es1:9200'",
        ),
        ("    hosts: ftp://es1\n", 8, "clusters.one.hosts", "http:// or https://"),
        ("    hosts: [http://a, 'x']\n", 8, "clusters.one.hosts[1]", "got 'x'"),
        ("    hosts: []\n", 8, "clusters.one.hosts", "at least one URL"),
        ("    hosts: http://h:99999\n", 8, "clusters.one.hosts", "port number"),
        ("    hosts: http://h?x=1\n", 8, "clusters.one.hosts", "without ?query"),
        ("    hosts: {url: http://h}\n", 8, "clusters.one.hosts", "got a mapping"),
        ("    skip_unavailable: true\n", 6, "clusters.one", "exactly one of hosts or cloud_id"),
        (
            f"    hosts: http://h\n    cloud_id: {CLOUD_ID}\n",
            9,
            "clusters.one",
            "exactly one of hosts or cloud_id",
        ),
        ("    cloud_id: nonsense\n", 8, "clusters.one.cloud_id", "not a valid Elastic Cloud id"),
        (
            "    hosts: http://h\n    api_key: k\n    bearer: t\n",
            10,
            "clusters.one",
            "at most one of api_key, username + password, bearer; found api_key and bearer",
        ),
        (
            "    hosts: http://h\n    username: u\n    password: p\n    api_key: k\n",
            11,
            "clusters.one",
            "found username + password and api_key",
        ),
        (
            "    hosts: http://h\n    username: u\n",
            9,
            "clusters.one.password",
            "missing; username and password go together",
        ),
        ("    hosts: http://h\n    password: p\n", 9, "clusters.one.username", "missing"),
        (
            "    hosts: http://h\n    api_key: [a, b]\n",
            9,
            "clusters.one.api_key",
            "expected a string, got a list",
        ),
        ("    hosts: http://h\n    api_key:\n", 9, "clusters.one.api_key", "got nothing"),
        (
            "    hosts: http://h\n    ca_certs: missing.pem\n",
            9,
            "clusters.one.ca_certs",
            "no such file",
        ),
        (
            "    hosts: http://h\n    path: /x\n",
            9,
            "clusters.one.path",
            "is a setting of embedded clusters",
        ),
        (
            "    hosts: http://h\n    enrich: {}\n",
            9,
            "clusters.one.enrich",
            "enrich policies are declared for embedded clusters only",
        ),
    ],
)
def test_elasticsearch_errors(
    tmp_path: Path, settings: str, line: int, key: str, words: str
) -> None:
    message = error(tmp_path, es(settings))
    assert_at(message, line, key)
    assert words in message


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (
            "clusters:\n  c: {path: /x}\n",
            2,
            "clusters.c.type",
            "missing; expected embedded or elasticsearch",
        ),
        (
            "clusters:\n  c: {type: elastic, path: /x}\n",
            2,
            "clusters.c.type",
            "expected embedded or elasticsearch, got 'elastic'; did you mean 'elasticsearch'?",
        ),
        ("clusters:\n  c: {type: embedded}\n", 2, "clusters.c.path", "missing"),
        (
            "clusters:\n  c: {type: embedded, path: /x, hosts: http://h}\n",
            2,
            "clusters.c.hosts",
            "is a setting of elasticsearch clusters, not of embedded ones",
        ),
        (
            "clusters:\n  c: {type: embedded, path: /x, pathh: 1, foo: 2}\n",
            2,
            "clusters.c.pathh",
            "unknown key; did you mean 'path'? (expected one of type, skip_unavailable, timeout, path, enrich); also unknown: 'foo' (line 2)",
        ),
        (
            "clusters:\n  c: {type: embedded, path: [a]}\n",
            2,
            "clusters.c.path",
            "expected a path, got a list",
        ),
        (
            "clusters:\n  c: {type: embedded, path: yes}\n",
            2,
            "clusters.c.path",
            "got a boolean (quote it to mean text)",
        ),
        (
            "clusters:\n  c: just-a-string\n",
            2,
            "clusters.c",
            "expected a mapping of cluster settings, got 'just-a-string'",
        ),
        (
            "clusters:\n",
            1,
            "clusters",
            "expected a mapping of cluster aliases to settings, got nothing",
        ),
        ("clusters: {}\n", 1, "clusters", "expected at least one cluster"),
        ("local: x\n", 1, "clusters", "missing"),
        (
            "local: nope\nclusters:\n  c: {type: embedded, path: /x}\n",
            1,
            "local",
            "'nope' is not a cluster in `clusters:` (c)",
        ),
        (
            "local: [c]\nclusters:\n  c: {type: embedded, path: /x}\n",
            1,
            "local",
            "expected the alias of one of the clusters, got a list",
        ),
        (
            "clusterz:\n  c: {type: embedded, path: /x}\n",
            1,
            "clusterz",
            "unknown key; did you mean 'clusters'?",
        ),
        (
            "clusters:\n  c: {type: embedded, path: /x}\n  c: {type: embedded, path: /y}\n",
            3,
            "clusters.c",
            "duplicate key (first given on line 2)",
        ),
        ("- a\n- b\n", 1, "(top level)", "expected a mapping with `local:` and `clusters:`"),
    ],
)
def test_structure_errors(tmp_path: Path, text: str, line: int, key: str, words: str) -> None:
    message = error(tmp_path, text)
    assert_at(message, line, key)
    assert words in message


@pytest.mark.parametrize(
    "alias",
    ["'a:b'", "'a*'", "'a,b'", "'a b'", "'a\\tb'", "_local", "'(local)'", "-x", "'é'", "'a.b'"],
)
def test_invalid_aliases(tmp_path: Path, alias: str) -> None:
    message = error(
        tmp_path,
        f"clusters:\n  ok: {{type: embedded, path: /x}}\n  {alias}: {{type: embedded, path: /x}}\n",
    )
    assert "config.yaml:3: clusters." in message
    assert "alias" in message


def test_valid_alias_characters(tmp_path: Path) -> None:
    config = load(tmp_path, "clusters:\n  Cluster-1_a: {type: embedded, path: /x}\n")
    assert list(config.clusters) == ["Cluster-1_a"]


def test_reserved_alias_messages(tmp_path: Path) -> None:
    message = error(tmp_path, "clusters:\n  _local: {type: embedded, path: /x}\n")
    assert_at(message, 2, "clusters._local")
    assert "reserved for the local cluster" in message
    message = error(tmp_path, "clusters:\n  'a:b': {type: embedded, path: /x}\n")
    assert_at(message, 2, "clusters.a:b")
    assert "letters, digits, '_' and '-'" in message


def test_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    message = error(tmp_path, "clusters:\n  c: [unclosed\n  d: 1\n")
    assert "config.yaml:3:" in message
    assert "not valid YAML" in message


def test_empty_file(tmp_path: Path) -> None:
    message = error(tmp_path, "# nothing\n")
    assert "config.yaml:1: the file is empty" in message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        load_config(tmp_path / "nope.yaml", {})
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path, {})
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"clusters: \xe9\n")
    with pytest.raises(ConfigError, match="not a UTF-8 text file"):
        load_config(bad, {})


# --- enrich policies ------------------------------------------------------------------

ENRICH = """\
local: here
clusters:
  here:
    type: embedded
    path: /h
    enrich:
      hosts: {type: range, indices: [r1, r2], match_field: ip_range, enrich_fields: os}
      own: {type: match, indices: o, match_field: k, enrich_fields: [v]}
  other: {type: embedded, path: /o}
  remote: {type: elasticsearch, hosts: http://r}
enrich:
  hosts: {type: match, indices: hosts, match_field: ip, enrich_fields: [host_name, os]}
  ages:
    type: range
    indices: ages
    match_field: age_range
    enrich_fields: [label]
"""


def test_enrich_policies(tmp_path: Path) -> None:
    config = load(tmp_path, ENRICH)
    shared_hosts = EnrichPolicy("hosts", "match", ("hosts",), "ip", ("host_name", "os"))
    ages = EnrichPolicy("ages", "range", ("ages",), "age_range", ("label",))
    assert config.clusters["other"].enrich == {"hosts": shared_hosts, "ages": ages}
    here = config.clusters["here"].enrich
    assert here["hosts"] == EnrichPolicy("hosts", "range", ("r1", "r2"), "ip_range", ("os",))
    assert here["own"] == EnrichPolicy("own", "match", ("o",), "k", ("v",))
    assert here["ages"] == ages
    assert config.clusters["remote"].enrich == {}


@pytest.mark.parametrize(
    ("policy", "key", "words"),
    [
        (
            "{type: fuzzy, indices: i, match_field: f, enrich_fields: [e]}",
            "enrich.p.type",
            "expected one of match, range, geo_match, got 'fuzzy'",
        ),
        ("{type: match, indices: i, enrich_fields: [e]}", "enrich.p.match_field", "missing"),
        (
            "{type: match, indices: i, match_field: f, enrich_fields: []}",
            "enrich.p.enrich_fields",
            "got an empty list",
        ),
        (
            "{type: match, indices: [i, [j]], match_field: f, enrich_fields: e}",
            "enrich.p.indices[1]",
            "expected a string, got a list",
        ),
        (
            "{type: match, indices: i, match_field: f, enrich_fields: e, fields: x}",
            "enrich.p.fields",
            "unknown key",
        ),
        ("[match, i]", "enrich.p", "expected a policy"),
    ],
)
def test_enrich_errors(tmp_path: Path, policy: str, key: str, words: str) -> None:
    text = f"clusters:\n  c: {{type: embedded, path: /x}}\nenrich:\n  p: {policy}\n"
    message = error(tmp_path, text)
    assert_at(message, 4, key)
    assert words in message


def test_enrich_policy_name_rules(tmp_path: Path) -> None:
    text = "clusters:\n  c: {type: embedded, path: /x}\nenrich:\n  Bad: {type: match, indices: i, match_field: f, enrich_fields: e}\n"
    message = error(tmp_path, text)
    assert_at(message, 4, "enrich.Bad")
    assert "invalid policy name: must be lowercase" in message


# --- secrets --------------------------------------------------------------------------


def test_secret_never_shows_its_value() -> None:
    secret = Secret(SENTINEL)
    assert secret.reveal() == SENTINEL
    shown = [
        str(secret),
        repr(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>30}",
        "%s %r" % (secret, secret),  # noqa: UP031 - the old formatting must be safe too
        format(secret),
        repr([secret]),
        repr({"k": secret}),
    ]
    assert all(SENTINEL not in text for text in shown)
    assert repr(secret) == "Secret('***')"
    with pytest.raises(TypeError):
        json.dumps({"k": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        "x" + secret  # type: ignore[operator]
    assert copy.deepcopy(secret) is secret
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert Secret("a") != "a"
    assert hash(Secret("a")) == hash(Secret("a"))
    assert not Secret("")
    with pytest.raises(TypeError):
        Secret(1)  # type: ignore[arg-type]


def test_secrets_stay_out_of_config_reprs(tmp_path: Path) -> None:
    text = (
        es(f"    hosts: http://h\n    username: u\n    password: {SENTINEL}\n", alias="a")
        + f"  b:\n    type: elasticsearch\n    hosts: http://h\n    api_key: ${{KEY}}\n  c:\n    type: elasticsearch\n    hosts: http://h\n    bearer: {SENTINEL}\n"
    )
    config = load(tmp_path, text, {"KEY": SENTINEL})
    rendered = [repr(config), str(config), f"{config}"]
    rendered += [spec.describe() for spec in config.clusters.values()]
    rendered += [repr(spec) for spec in config.clusters.values()]
    rendered += list(config.warnings)
    assert all(SENTINEL not in text for text in rendered)
    assert config.clusters["b"].api_key == Secret(SENTINEL)


@pytest.mark.parametrize(
    "settings",
    [
        f"    hosts: http://h\n    api_key: {SENTINEL}\n    bearer: {SENTINEL}\n",
        f"    hosts: http://h\n    api_key: {SENTINEL}\n    timeout: soon\n",
        f"    hosts: http://h\n    password: {SENTINEL}\n",
        f"    hosts: http://h\n    username: u\n    password: {SENTINEL}\n    passwd: {SENTINEL}\n",
        f"    hosts: https://user:{SENTINEL}@es1:9200\n",
        f"    hosts: https//user:{SENTINEL}@es1:9200\n",
        f"    hosts: http://h\n    api_key: [{SENTINEL}]\n",
        f"    hosts: http://h\n    api_key: {{k: {SENTINEL}}}\n",
        f"    hosts: http://h\n    api_key: ${{{SENTINEL}\n",
        f"    hosts: http://h\n    api_key: '{SENTINEL}\n",
        f"    hosts: http://h\n    api_key: {SENTINEL}\n  \tbad: x\n",
        f"    hosts: http://h\n    api_key: {SENTINEL}: x\n",
        "    hosts: http://h\n    api_key: ${KEY}\n    bearer: ${KEY}\n",
        "    hosts: http://h\n    api_key: ${KEY:-x}\n    timeout: ${KEY}\n",
    ],
)
def test_secrets_never_in_errors(tmp_path: Path, settings: str) -> None:
    message = error(tmp_path, es(settings), {"KEY": SENTINEL})
    assert SENTINEL not in message
    assert "config.yaml:" in message


def test_secrets_in_urls_are_rejected_without_echo(tmp_path: Path) -> None:
    message = error(tmp_path, es(f"    hosts: https://user:{SENTINEL}@es1:9200\n"))
    assert_at(message, 8, "clusters.one.hosts")
    assert "credentials in a URL are not allowed" in message


# --- the readable-file warning --------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize(
    ("value", "mode", "warned"),
    [
        (SENTINEL, 0o644, True),
        (SENTINEL, 0o640, True),
        (SENTINEL, 0o604, True),
        (SENTINEL, 0o600, False),
        ("${KEY}", 0o644, False),
        ("${KEY:-fallback}", 0o644, True),
        ("prefix-${KEY}", 0o644, True),
    ],
)
def test_readable_file_with_secret_warns(
    tmp_path: Path, value: str, mode: int, warned: bool
) -> None:
    path = write(tmp_path, es(f"    hosts: http://h\n    api_key: {value}\n"), mode)
    config = load_config(path, {"KEY": SENTINEL})
    if not warned:
        assert config.warnings == ()
        return
    (warning,) = config.warnings
    assert "chmod 600" in warning
    assert "clusters.one.api_key on line 9" in warning
    assert str(path) in warning
    assert SENTINEL not in warning


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_readable_file_without_secret_does_not_warn(tmp_path: Path) -> None:
    path = write(tmp_path, es("    hosts: http://h\n"), 0o644)
    assert load_config(path, {}).warnings == ()


# --- finding the file -----------------------------------------------------------------


def test_locate_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    user = tmp_path / "xdg" / "esqlsh" / "config.yaml"
    explicit = tmp_path / "explicit.yaml"
    named = tmp_path / "named.yaml"
    env = {"ESQLSH_CONFIG": str(named)}

    assert locate_config(None, {}) is None  # no user file yet
    user.parent.mkdir(parents=True)
    user.write_text(EMBEDDED_LOCAL)
    assert locate_config(None, {}) == user
    assert locate_config(None, {"ESQLSH_CONFIG": ""}) == user
    assert locate_config(None, env) == named  # even before it exists
    assert locate_config(explicit, env) == explicit


def test_locate_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert locate_config(Path("~/c.yaml"), {}) == tmp_path / "c.yaml"
    assert locate_config(None, {"ESQLSH_CONFIG": "~/d.yaml"}) == tmp_path / "d.yaml"


def test_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        read_config(None, {"ESQLSH_CONFIG": str(tmp_path / "gone.yaml")})


def test_read_config_uses_the_user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    user = tmp_path / "xdg" / "esqlsh" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text(EMBEDDED_LOCAL)
    assert read_config(None, {}).clusters["here"].path == user.parent / "data"


def test_no_file_means_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    config = read_config(None, {})
    assert config == load_config(None, {})
    assert config.path is None
    assert config.local == "local"
    spec = config.clusters["local"]
    assert spec.type == "embedded"
    assert spec.path is not None and (spec.path / "employees").is_dir()


def test_default_config_over_a_given_directory(tmp_path: Path) -> None:
    config = default_config(tmp_path)
    assert config.local == "local"
    assert config.clusters == {
        "local": ClusterSpec(alias="local", type="embedded", path=tmp_path, origin="(built-in)")
    }
    assert config.remotes() == []


# --- the shipped example --------------------------------------------------------------


def test_example_config_is_valid(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    env = {
        "CLUSTER_ONE_API_KEY": SENTINEL,
        "CLUSTER_ONE_CA": str(ca),
        "CLUSTER_TWO_CLOUD_ID": CLOUD_ID,
        "CLUSTER_TWO_PASSWORD": SENTINEL,
        "CLUSTER_THREE_TOKEN": SENTINEL,
    }
    config = load_config(REPO / "config.example.yaml", env)
    assert config.local == "logs_local"
    assert list(config.clusters) == ["logs_local", "cluster_one", "cluster_two", "cluster_three"]
    assert config.clusters["logs_local"].path == REPO / "data" / "local"
    assert set(config.clusters["logs_local"].enrich) == {"hosts_by_name", "hosts", "ages"}
    one = config.clusters["cluster_one"]
    assert one.ca_certs == ca and one.timeout == 30.0 and one.skip_unavailable
    two = config.clusters["cluster_two"]
    assert two.username == "elastic" and not two.skip_unavailable and two.timeout == 120.0
    three = config.clusters["cluster_three"]
    assert three.bearer == Secret(SENTINEL) and three.verify_certs is False
    assert SENTINEL not in repr(config)


def test_example_config_documents_every_key() -> None:
    text = (REPO / "config.example.yaml").read_text()
    keys = (
        "local:",
        "clusters:",
        "enrich:",
        "type:",
        "path:",
        "hosts:",
        "cloud_id:",
        "api_key:",
        "username:",
        "password:",
        "bearer:",
        "ca_certs:",
        "verify_certs:",
        "skip_unavailable:",
        "timeout:",
        "match_field:",
        "enrich_fields:",
        "indices:",
    )
    assert [key for key in keys if key not in text] == []
