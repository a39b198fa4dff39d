"""The YAML configuration (DESIGN §2): which clusters esqlsh queries, how to reach
them, and which one is local.

This module owns finding the file (``--config``, ``ESQLSH_CONFIG``, the platformdirs
config directory), reading it into ``Config`` / ``ClusterSpec`` values, ``${VAR}``
and ``${VAR:-default}`` expansion, validation whose every message names the file,
line and key (``config.yaml:7: clusters.one.timeout: expected a duration …``),
``Secret`` (credentials that never print), and the warning for a secret kept in a
file other users can read. Nothing here connects to a cluster: ``registry`` does.

The YAML is composed into PyYAML's node tree rather than loaded into plain values,
because only nodes remember where they started; scalars are then built with
PyYAML's own safe constructor, so ``yes``, ``30`` and ``null`` mean what YAML says.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from esqlsh.clusters.base import EnrichPolicy
from esqlsh.errors import ConfigError

if TYPE_CHECKING:
    from dataclasses import dataclass

    import yaml
    from yaml.nodes import Node, ScalarNode
else:  # the same classes, made without compiling methods at import (syntax/records.py)
    from esqlsh.syntax.records import dataclass

# PyYAML is imported when a file is read, not with this module: the command line
# imports it to find the file, and a query that needs no configuration reads none.

CONFIG_ENV = "ESQLSH_CONFIG"
CONFIG_FILE = "config.yaml"
EMBEDDED = "embedded"
ELASTICSEARCH = "elasticsearch"
CLUSTER_TYPES = (EMBEDDED, ELASTICSEARCH)
DEFAULT_LOCAL = "local"
DEFAULT_TIMEOUT = 30.0
POLICY_TYPES = ("match", "range", "geo_match")


# --- values -----------------------------------------------------------------------------


class Secret:
    """A credential (API key, password, bearer token).

    Deliberately *not* a ``str`` subclass: a str subclass hands its value to ``+``,
    ``"".join``, ``json.dumps``, slicing and every ``str`` method, so only ``repr`` and
    ``format`` could be made safe. Here ``str()``, ``repr()``, f-strings, ``%``
    formatting and dataclass reprs all show ``***``; ``json.dumps`` and pickling
    refuse it; the value comes out only through ``reveal()``, which makes every use
    of the real value easy to find."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a Secret holds a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class ClusterSpec:
    """One entry of ``clusters:``, validated. Paths are absolute (resolved against
    the config file's directory); ``hosts`` holds the decoded endpoint when the
    config gave a ``cloud_id``; ``api_key`` is the encoded form sent as
    ``Authorization: ApiKey …`` (an ``id:key`` pair in the file is encoded here)."""

    alias: str
    type: str  # "embedded" | "elasticsearch"
    path: Path | None = None
    hosts: tuple[str, ...] = ()
    cloud_id: str | None = None
    api_key: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    bearer: Secret | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    skip_unavailable: bool = True
    timeout: float = DEFAULT_TIMEOUT
    enrich: dict[str, EnrichPolicy] = field(default_factory=dict)
    origin: str = ""  # "file:line" of the cluster's key

    def auth(self) -> str:
        """How requests authenticate, without the credential: ``api key`` …"""
        if self.api_key is not None:
            return "api key"
        if self.username is not None:
            return f"user {self.username}"
        if self.bearer is not None:
            return "bearer token"
        return "no auth"

    def describe(self) -> str:
        """The endpoint for people: ``https://es1:9200 (api key)``; never a secret."""
        if self.type == EMBEDDED:
            return f"embedded {self.path}"
        notes = [self.auth()]
        if not self.verify_certs:
            notes.append("certificates not verified")
        return f"{', '.join(self.hosts)} ({', '.join(notes)})"


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``clusters`` keeps the file's order; ``local`` is
    the alias bare index names go to (None: every pattern must name a cluster);
    ``warnings`` are for the user (e.g. a readable file holding a secret)."""

    local: str | None
    clusters: dict[str, ClusterSpec]
    path: Path | None  # the file read; None for the built-in default
    warnings: tuple[str, ...] = ()

    def remotes(self) -> list[str]:
        return [alias for alias in self.clusters if alias != self.local]


# --- locating and loading ---------------------------------------------------------------


def locate_config(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to read: ``explicit`` (``--config``), else ``$ESQLSH_CONFIG``,
    else ``<user config dir>/esqlsh/config.yaml`` if it exists, else None. A file
    named explicitly or by the variable is returned even if missing, so that
    ``load_config`` reports it rather than silently using the default."""
    if explicit is not None:
        return Path(explicit).expanduser()
    named = environ.get(CONFIG_ENV)
    if named:
        return Path(named).expanduser()
    import platformdirs

    candidate = Path(platformdirs.user_config_dir("esqlsh")) / CONFIG_FILE
    return candidate if candidate.is_file() else None


def load_config(path: Path | None, environ: Mapping[str, str]) -> Config:
    """Read and validate ``path`` (None: ``default_config()``), expanding ``${VAR}``
    from ``environ``. Raises ``ConfigError`` naming file, line and key."""
    if path is None:
        return default_config()
    label = str(path)
    text = _read_text(path, label)
    root = _compose(text, label)
    reader = _Reader(label, environ, path.absolute().parent)
    local, clusters = reader.config(root)
    return Config(local, clusters, path, tuple(_exposure_warnings(path, label, reader)))


def read_config(explicit: Path | None, environ: Mapping[str, str]) -> Config:
    """``load_config(locate_config(explicit, environ), environ)``."""
    return load_config(locate_config(explicit, environ), environ)


def default_config(data_path: Path | None = None) -> Config:
    """No config file. Without ``data_path``: the demo shipped in the package
    (``esqlsh/data/demo/config.yaml``: the embedded clusters ``local`` — the local
    one —, ``cluster_one`` and ``cluster_two``, and the unreachable
    ``cluster_three``, see ``scripts/make_demo_data.py``). With ``data_path``: one
    embedded cluster, ``local``, over that directory. ``path`` is None either way
    (a built-in default, not a file the user wrote)."""
    if data_path is None:
        from dataclasses import replace
        from importlib.resources import files

        demo = Path(str(files("esqlsh").joinpath("data", "demo", CONFIG_FILE)))
        if not demo.is_file():
            raise ConfigError(f"the bundled demo configuration is missing ({demo})")
        return replace(load_config(demo, {}), path=None)
    spec = ClusterSpec(alias=DEFAULT_LOCAL, type=EMBEDDED, path=data_path, origin="(built-in)")
    return Config(local=DEFAULT_LOCAL, clusters={DEFAULT_LOCAL: spec}, path=None)


def _read_text(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: not a UTF-8 text file") from None
    except OSError as e:
        raise ConfigError(f"{label}: cannot read the file: {e.strerror}") from None


def _compose(text: str, label: str) -> Node:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        raise ConfigError(_syntax_message(e, text, label)) from None
    except yaml.YAMLError as e:
        # Reader errors (bad characters) name a position and a code point only.
        raise ConfigError(f"{label}: not valid YAML: {e}") from None
    if root is None:
        raise ConfigError(f"{label}:1: the file is empty; expected `local:` and `clusters:`")
    return root


def _syntax_message(e: yaml.MarkedYAMLError, text: str, label: str) -> str:
    """``file:line:col: problem``. Only PyYAML's problem and context words are used,
    never ``str(e)``: that quotes the offending line, which may hold a secret."""
    mark = e.problem_mark or e.context_mark
    where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
    words = " ".join(w for w in (e.context, e.problem) if w)
    message = f"{where}: not valid YAML: {words}"
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "${" in lines[mark.line]:
        message += ' (inside [...] or {...}, quote values that use ${...}: "${VAR}")'
    return message


def _exposure_warnings(path: Path, label: str, reader: _Reader) -> list[str]:
    """A secret written in the file (not only ``${VAR}``) while group or others
    can read it: the same advice ssh gives for a private key."""
    if not reader.secrets_in_file or os.name == "nt":
        return []
    try:
        mode = path.stat().st_mode
    except OSError:
        return []
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return []
    keys = ", ".join(reader.secrets_in_file)
    return [
        f"{label}: holds a secret ({keys}) and can be read by other users; "
        f"run `chmod 600 {label}` or move the secret to an environment variable (${{VAR}})"
    ]


# --- ${VAR} expansion -------------------------------------------------------------------

# `$${` is a literal `${`; `${NAME}` / `${NAME:-default}`; a lone `${` is malformed.
# Patterns as text: `re` compiles (and caches) each on first use, not at import.
_REFERENCE = r"\$\$\{|\$\{([^}]*)\}|\$\{"
_VAR_BODY = r"(?s)([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?"


@dataclass(frozen=True)
class _Expanded:
    text: str  # the value with every reference replaced
    literal: str  # the part written in the file itself (text and defaults)


class _UnsetVariable(Exception):
    def __init__(self, name: str):
        self.name = name


class _MalformedReference(Exception):
    pass


def expand(text: str, environ: Mapping[str, str]) -> str:
    """``${VAR}`` and ``${VAR:-default}`` (default when unset or empty) from
    ``environ``; ``$${`` is a literal ``${``. Raises ``ConfigError`` without a
    position; the loader reports positions itself."""
    try:
        return _expand(text, environ).text
    except _UnsetVariable as e:
        raise ConfigError(_unset_message(e.name)) from None
    except _MalformedReference:
        raise ConfigError(_MALFORMED) from None


_MALFORMED = "malformed ${...} reference; expected ${NAME} or ${NAME:-default}"


def _unset_message(name: str) -> str:
    return f"environment variable {name} is not set (write ${{{name}:-default}} to give a default)"


def _expand(text: str, environ: Mapping[str, str]) -> _Expanded:
    out: list[str] = []
    literal: list[str] = []
    pos = 0
    for match in re.finditer(_REFERENCE, text):
        out.append(text[pos : match.start()])
        literal.append(text[pos : match.start()])
        pos = match.end()
        if match.group(0) == "$${":
            out.append("${")
            literal.append("${")
            continue
        body = re.fullmatch(_VAR_BODY, match.group(1) or "")
        if match.group(1) is None or body is None:
            raise _MalformedReference()
        name, default = body.group(1), body.group(2)
        value = environ.get(name)
        if default is not None:
            literal.append(default)
            value = value if value else default
        if value is None:
            raise _UnsetVariable(name)
        out.append(value)
    out.append(text[pos:])
    literal.append(text[pos:])
    return _Expanded("".join(out), "".join(literal))


# --- reading the node tree --------------------------------------------------------------

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_DURATION = r"\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*"
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
# Elasticsearch's grammar for the <alias> in `cluster.remote.<alias>.seeds`
# (Setting.AffixKey: `[-\w]+`, ASCII); that also keeps out `:`, `*`, `,` and spaces.
_ALIAS = r"[A-Za-z0-9_-]+"
_RESERVED_ALIASES = ("_local", "(local)")

_COMMON_KEYS = ("type", "skip_unavailable", "timeout")
_EMBEDDED_KEYS = (*_COMMON_KEYS, "path", "enrich")
_ES_KEYS = (
    *_COMMON_KEYS,
    *("hosts", "cloud_id", "api_key", "username", "password", "bearer"),
    *("ca_certs", "verify_certs"),
)
_ES_ONLY = "is a setting of elasticsearch clusters, not of embedded ones"
_MISPLACED = {
    EMBEDDED: {key: _ES_ONLY for key in _ES_KEYS if key not in _EMBEDDED_KEYS},
    ELASTICSEARCH: {
        "path": "is a setting of embedded clusters; an elasticsearch cluster needs hosts or cloud_id",
        "enrich": "enrich policies are declared for embedded clusters only; "
        "Elasticsearch clusters report their own",
    },
}
_POLICY_KEYS = ("type", "indices", "match_field", "enrich_fields")


@dataclass(frozen=True)
class _Scalar:
    value: object  # as YAML types it (after expansion, for plain scalars)
    text: str  # the expanded text
    literal: str  # the part of the text written in the file
    raw: str  # the text as written, before expansion

    def shown(self) -> str:
        """The value for an error message. Text that came from the environment is
        not repeated: the same variable may hold a secret elsewhere."""
        if self.raw == self.text:
            return repr(self.text)
        return f"{self.raw!r} (its value is not shown)"


class _Reader:
    """Walks the composed YAML, building values and raising positioned errors."""

    def __init__(self, label: str, environ: Mapping[str, str], base: Path):
        self.label = label
        self.environ = environ
        self.base = base
        from yaml.constructor import SafeConstructor
        from yaml.resolver import Resolver

        self.constructor = SafeConstructor()
        self.resolver = Resolver()
        self.secrets_in_file: list[str] = []

    # --- errors

    def fail(self, node: Node, path: str, message: str) -> NoReturn:
        raise ConfigError(f"{self.label}:{node.start_mark.line + 1}: {path}: {message}")

    def origin(self, node: Node) -> str:
        return f"{self.label}:{node.start_mark.line + 1}"

    # --- the document

    def config(self, root: Node) -> tuple[str | None, dict[str, ClusterSpec]]:
        top = self.mapping(root, "(top level)", "a mapping with `local:` and `clusters:`")
        # `x-…` keys are free, as in docker compose: a place for YAML anchors.
        known = ("local", "clusters", "enrich", *(k for k in top if k.startswith("x-")))
        self.check_keys(top, "", known)
        if "clusters" not in top:
            self.fail(
                root, "clusters", "missing; expected a mapping of cluster aliases to settings"
            )
        shared = self.policies(top["enrich"][1], "enrich") if "enrich" in top else {}
        clusters = self.clusters(top["clusters"][1], shared)
        local = self.local(top["local"][1], clusters) if "local" in top else None
        return local, clusters

    def local(self, node: Node, clusters: dict[str, ClusterSpec]) -> str:
        alias = self.text(node, "local", "the alias of one of the clusters")
        if alias.text not in clusters:
            known = ", ".join(clusters)
            self.fail(node, "local", f"{alias.shown()} is not a cluster in `clusters:` ({known})")
        return alias.text

    def clusters(self, node: Node, shared: dict[str, EnrichPolicy]) -> dict[str, ClusterSpec]:
        items = self.mapping(node, "clusters", "a mapping of cluster aliases to settings")
        if not items:
            self.fail(node, "clusters", "expected at least one cluster")
        specs: dict[str, ClusterSpec] = {}
        for alias, (key, value) in items.items():
            self.check_alias(alias, key)
            specs[alias] = self.cluster(alias, key, value, shared)
        return specs

    def check_alias(self, alias: str, key: Node) -> None:
        path = f"clusters.{alias}"
        if alias in _RESERVED_ALIASES:
            self.fail(key, path, f"{alias!r} is reserved for the local cluster; pick another alias")
        if not re.fullmatch(_ALIAS, alias):
            self.fail(
                key,
                path,
                "a cluster alias may contain only letters, digits, '_' and '-' "
                "(as Elasticsearch's remote cluster aliases)",
            )
        if alias.startswith("-"):
            self.fail(key, path, "a cluster alias must not start with '-' (FROM -alias:* excludes)")

    def cluster(
        self, alias: str, key: Node, node: Node, shared: dict[str, EnrichPolicy]
    ) -> ClusterSpec:
        path = f"clusters.{alias}"
        items = self.mapping(node, path, "a mapping of cluster settings")
        if "type" not in items:
            self.fail(key, f"{path}.type", f"missing; expected {_one_of(CLUSTER_TYPES)}")
        kind = self.choice(items["type"][1], f"{path}.type", CLUSTER_TYPES)
        allowed = _EMBEDDED_KEYS if kind == EMBEDDED else _ES_KEYS
        self.check_keys(items, path, allowed, _MISPLACED[kind])
        common: dict[str, Any] = {"alias": alias, "type": kind, "origin": self.origin(key)}
        if "skip_unavailable" in items:
            common["skip_unavailable"] = self.boolean(
                items["skip_unavailable"][1], f"{path}.skip_unavailable"
            )
        if "timeout" in items:
            common["timeout"] = self.duration(items["timeout"][1], f"{path}.timeout")
        if kind == EMBEDDED:
            return self.embedded(items, key, path, shared, common)
        return self.elasticsearch(items, key, path, common)

    def embedded(
        self,
        items: dict[str, tuple[Node, Node]],
        key: Node,
        path: str,
        shared: dict[str, EnrichPolicy],
        common: dict[str, Any],
    ) -> ClusterSpec:
        if "path" not in items:
            self.fail(key, f"{path}.path", "missing; an embedded cluster needs its directory")
        where = self.location(items["path"][1], f"{path}.path")
        own = self.policies(items["enrich"][1], f"{path}.enrich") if "enrich" in items else {}
        return ClusterSpec(**common, path=where, enrich={**shared, **own})

    def elasticsearch(
        self, items: dict[str, tuple[Node, Node]], key: Node, path: str, common: dict[str, Any]
    ) -> ClusterSpec:
        settings: dict[str, Any] = dict(common)
        if ("hosts" in items) == ("cloud_id" in items):
            where = items["cloud_id"][0] if "cloud_id" in items else key
            self.fail(where, path, "expected exactly one of hosts or cloud_id")
        if "hosts" in items:
            settings["hosts"] = self.hosts(items["hosts"][1], f"{path}.hosts")
        else:
            node = items["cloud_id"][1]
            settings["cloud_id"] = cloud_id = self.string(node, f"{path}.cloud_id")
            settings["hosts"] = (self.cloud_endpoint(node, f"{path}.cloud_id", cloud_id),)
        settings.update(self.credentials(items, path))
        if "ca_certs" in items:
            settings["ca_certs"] = self.ca_file(items["ca_certs"][1], f"{path}.ca_certs")
        if "verify_certs" in items:
            settings["verify_certs"] = self.boolean(
                items["verify_certs"][1], f"{path}.verify_certs"
            )
        return ClusterSpec(**settings)

    def credentials(self, items: dict[str, tuple[Node, Node]], path: str) -> dict[str, Any]:
        groups = {
            "api_key": "api_key",
            "username": "username + password",
            "password": "username + password",
            "bearer": "bearer",
        }
        firsts: dict[str, Node] = {}
        for name, (key, _) in items.items():
            if name in groups:
                firsts.setdefault(groups[name], key)
        if len(firsts) > 1:
            chosen = list(firsts)
            self.fail(
                firsts[chosen[1]],
                path,
                "expected at most one of api_key, username + password, bearer; "
                f"found {' and '.join(chosen)}",
            )
        out: dict[str, Any] = {}
        if "api_key" in items:
            secret = self.secret(items["api_key"][1], f"{path}.api_key")
            out["api_key"] = _encoded_api_key(secret)
        if "bearer" in items:
            out["bearer"] = self.secret(items["bearer"][1], f"{path}.bearer")
        if "username" in items or "password" in items:
            for needed in ("username", "password"):
                if needed not in items:
                    other = items["password" if needed == "username" else "username"][0]
                    self.fail(
                        other, f"{path}.{needed}", "missing; username and password go together"
                    )
            out["username"] = self.string(items["username"][1], f"{path}.username")
            out["password"] = self.secret(items["password"][1], f"{path}.password")
        return out

    def policies(self, node: Node, path: str) -> dict[str, EnrichPolicy]:
        items = self.mapping(node, path, "a mapping of policy names to policies")
        return {
            name: self.policy(name, key, value, f"{path}.{name}")
            for name, (key, value) in items.items()
        }

    def policy(self, name: str, key: Node, node: Node, path: str) -> EnrichPolicy:
        from esqlsh.clusters.names import InvalidIndexNameError, validate_index_name

        try:
            validate_index_name(name)
        except InvalidIndexNameError as e:
            self.fail(key, path, f"invalid policy name: {e.reason.split('], ', 1)[1]}")
        items = self.mapping(node, path, "a policy: {type, indices, match_field, enrich_fields}")
        self.check_keys(items, path, _POLICY_KEYS)
        for needed in _POLICY_KEYS:
            if needed not in items:
                self.fail(
                    key, f"{path}.{needed}", "missing; a policy needs " + ", ".join(_POLICY_KEYS)
                )
        return EnrichPolicy(
            name=name,
            type=self.choice(items["type"][1], f"{path}.type", POLICY_TYPES),
            indices=self.strings(items["indices"][1], f"{path}.indices"),
            match_field=self.string(items["match_field"][1], f"{path}.match_field"),
            enrich_fields=self.strings(items["enrich_fields"][1], f"{path}.enrich_fields"),
        )

    # --- typed values

    def mapping(self, node: Node, path: str, expected: str) -> dict[str, tuple[Node, Node]]:
        """Keys → (key node, value node); duplicate keys are errors; ``<<`` merges
        are applied (keys written in the mapping win over merged ones)."""
        import yaml
        from yaml.nodes import MappingNode

        if not isinstance(node, MappingNode):
            self.fail(node, path, f"expected {expected}, got {self.shape(node)}")
        seen: dict[str, Node] = {}
        for key, _ in node.value:
            if key.tag == _MERGE_TAG:
                continue
            name = self.key_name(key, path)
            if name in seen:
                first = seen[name].start_mark.line + 1
                self.fail(key, _join(path, name), f"duplicate key (first given on line {first})")
            seen[name] = key
        try:
            self.constructor.flatten_mapping(node)
        except yaml.YAMLError as e:
            self.fail(node, path, f"cannot merge: {getattr(e, 'problem', None) or e}")
        return {self.key_name(key, path): (key, value) for key, value in node.value}

    def key_name(self, key: Node, path: str) -> str:
        from yaml.nodes import ScalarNode

        if not isinstance(key, ScalarNode) or not key.value:
            self.fail(key, path, "expected a plain name as key")
        return str(key.value)

    def check_keys(
        self,
        items: dict[str, tuple[Node, Node]],
        path: str,
        allowed: Sequence[str],
        misplaced: Mapping[str, str] | None = None,
    ) -> None:
        unknown = [name for name in items if name not in allowed]
        if not unknown:
            return
        first = unknown[0]
        explanation = (misplaced or {}).get(first)
        if explanation is None:
            import difflib

            close = difflib.get_close_matches(first, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            explanation = f"unknown key{hint} (expected {_one_of(allowed)})"
        if len(unknown) > 1:
            rest = ", ".join(
                f"{name!r} (line {items[name][0].start_mark.line + 1})" for name in unknown[1:]
            )
            explanation += f"; also unknown: {rest}"
        self.fail(items[first][0], _join(path, first), explanation)

    def scalar(self, node: Node, path: str, expected: str, *, secret: bool = False) -> _Scalar:
        from yaml.nodes import ScalarNode

        if not isinstance(node, ScalarNode):
            self.fail(node, path, f"expected {expected}, got {self.shape(node)}")
        text = str(node.value)
        if node.tag != _STR_TAG or "${" not in text:
            return _Scalar(self.construct(node, path), text, text, text)
        try:
            expanded = _expand(text, self.environ)
        except _UnsetVariable as e:
            self.fail(node, path, _unset_message(e.name))
        except _MalformedReference:
            self.fail(node, path, _MALFORMED)
        if node.style is not None or secret:
            return _Scalar(expanded.text, expanded.text, expanded.literal, text)
        # A plain scalar is typed after expansion, so `verify_certs: ${VERIFY:-false}`
        # is a boolean, as if the value had been written in its place.
        tag = self.resolver.resolve(ScalarNode, expanded.text, (True, False))  # type: ignore[no-untyped-call]
        retyped = ScalarNode(tag, expanded.text, node.start_mark, node.end_mark)
        return _Scalar(self.construct(retyped, path), expanded.text, expanded.literal, text)

    def construct(self, node: ScalarNode, path: str) -> object:
        import yaml

        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            self.fail(node, path, f"cannot read the value: {getattr(e, 'problem', None) or e}")

    def string(self, node: Node, path: str, expected: str = "a string") -> str:
        return self.text(node, path, expected).text

    def text(self, node: Node, path: str, expected: str = "a string") -> _Scalar:
        scalar = self.scalar(node, path, expected)
        self.check_text(node, path, expected, scalar)
        return scalar

    def check_text(self, node: Node, path: str, expected: str, scalar: _Scalar) -> None:
        if scalar.value is None or scalar.text == "":
            self.fail(node, path, f"expected {expected}, got nothing")
        if isinstance(scalar.value, bool):
            self.fail(node, path, f"expected {expected}, got a boolean (quote it to mean text)")

    def secret(self, node: Node, path: str) -> Secret:
        scalar = self.scalar(node, path, "a string", secret=True)
        self.check_text(node, path, "a string", scalar)
        if scalar.literal:
            self.secrets_in_file.append(f"{path} on line {node.start_mark.line + 1}")
        return Secret(scalar.text)

    def strings(self, node: Node, path: str) -> tuple[str, ...]:
        """A string or a non-empty list of strings."""
        from yaml.nodes import SequenceNode

        if not isinstance(node, SequenceNode):
            return (self.string(node, path, "a string or a list of strings"),)
        if not node.value:
            self.fail(node, path, "expected a string or a list of strings, got an empty list")
        return tuple(self.string(item, f"{path}[{i}]") for i, item in enumerate(node.value))

    def choice(self, node: Node, path: str, choices: Sequence[str]) -> str:
        expected = _one_of(choices)
        scalar = self.text(node, path, expected)
        if scalar.text not in choices:
            import difflib

            close = difflib.get_close_matches(scalar.text, choices, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.fail(node, path, f"expected {expected}, got {scalar.shown()}{hint}")
        return scalar.text

    def boolean(self, node: Node, path: str) -> bool:
        scalar = self.scalar(node, path, "true or false")
        if isinstance(scalar.value, bool):
            return scalar.value
        # Quoted text after expansion ("${VERIFY}") still reads as a boolean.
        if isinstance(scalar.value, str) and scalar.value.lower() in ("true", "false"):
            return scalar.value.lower() == "true"
        self.fail(node, path, f"expected true or false, got {scalar.shown()}")

    def duration(self, node: Node, path: str) -> float:
        """Seconds: a number, or ``500ms``, ``30s``, ``2m``, ``1h``."""
        scalar = self.scalar(node, path, "a duration like 30s, 500ms or 2m")
        value = scalar.value
        seconds: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
        elif isinstance(value, str) and (match := re.fullmatch(_DURATION, value)):
            seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        if seconds is None:
            got = "nothing" if value is None else scalar.shown()
            self.fail(node, path, f"expected a duration like 30s, 500ms or 2m, got {got}")
        if not math.isfinite(seconds) or seconds <= 0:
            self.fail(node, path, f"expected a positive duration, got {scalar.shown()}")
        return seconds

    def location(self, node: Node, path: str) -> Path:
        """A path; relative ones are relative to the config file's directory."""
        where = Path(self.string(node, path, "a path")).expanduser()
        return where if where.is_absolute() else self.base / where

    def ca_file(self, node: Node, path: str) -> Path:
        where = self.location(node, path)
        if not where.is_file():
            self.fail(node, path, f"no such file: {where}")
        return where

    def hosts(self, node: Node, path: str) -> tuple[str, ...]:
        from yaml.nodes import SequenceNode

        if isinstance(node, SequenceNode):
            if not node.value:
                self.fail(node, path, "expected at least one URL")
            return tuple(self.url(item, f"{path}[{i}]") for i, item in enumerate(node.value))
        return (self.url(node, path),)

    def url(self, node: Node, path: str) -> str:
        expected = "an http:// or https:// URL"
        scalar = self.text(node, path, expected)
        text = scalar.text
        parts = urlsplit(text)
        # Never echo a URL that carries credentials.
        shown = "a URL with credentials" if "@" in text else scalar.shown()
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.fail(node, path, f"expected {expected} like https://es1:9200, got {shown}")
        if "@" in parts.netloc:
            self.fail(node, path, "credentials in a URL are not allowed; use username and password")
        if not parts.hostname:
            self.fail(node, path, f"expected a host name in {shown}")
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError:
            self.fail(node, path, f"expected a port number from 1 to 65535 in {shown}")
        if parts.query or parts.fragment:
            self.fail(node, path, f"expected a URL without ?query or #fragment, got {shown}")
        return text.rstrip("/")

    def cloud_endpoint(self, node: Node, path: str, cloud_id: str) -> str:
        endpoint = decode_cloud_id(cloud_id)
        if endpoint is None:
            self.fail(
                node,
                path,
                "not a valid Elastic Cloud id (expected name:base64 of host$es_uuid$kibana_uuid)",
            )
        return endpoint

    @staticmethod
    def shape(node: Node) -> str:
        from yaml.nodes import MappingNode, SequenceNode

        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        if node.tag.endswith(":null"):
            return "nothing"
        return f"{node.value!r}"


def decode_cloud_id(cloud_id: str) -> str | None:
    """The Elasticsearch URL of an Elastic Cloud id (``name:base64("host$es$kibana")``
    → ``https://es.host:443``), or None if it is not one. The ``name:`` part is
    optional; a port may follow the host or the Elasticsearch id."""
    _, colon, encoded = cloud_id.partition(":")
    if not colon:
        encoded = cloud_id
    try:
        decoded = binascii.a2b_base64(encoded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    parts = decoded.split("$")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    host, es_id, port = parts[0], parts[1], "443"
    if ":" in host:
        host, _, port = host.rpartition(":")
    if ":" in es_id:
        es_id, _, port = es_id.partition(":")
    if not port.isdigit() or not 0 < int(port) < 65536 or not host:
        return None
    return f"https://{es_id}.{host}:{int(port)}"


def _encoded_api_key(key: Secret) -> Secret:
    """Elasticsearch's API key header takes base64("id:key"); people also copy the
    ``id`` and ``api_key`` pair, written ``id:key`` (the encoded form has no ``:``)."""
    value = key.reveal()
    if ":" not in value:
        return key
    return Secret(base64.b64encode(value.encode("utf-8")).decode("ascii"))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path and not path.startswith("(") else key


def _one_of(choices: Sequence[str]) -> str:
    if len(choices) == 2:
        return f"{choices[0]} or {choices[1]}"
    return "one of " + ", ".join(choices)


__all__ = [
    "CONFIG_ENV",
    "ClusterSpec",
    "Config",
    "Secret",
    "decode_cloud_id",
    "default_config",
    "expand",
    "load_config",
    "locate_config",
    "read_config",
]
