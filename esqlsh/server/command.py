"""``esqlsh serve``: the command line of the node. Importing this module loads only
click; the engine and the HTTP stack load when the command runs, so
``esqlsh --help`` stays fast.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from esqlsh.clusters.embedded import EmbeddedCluster


@click.command("serve")
@click.option(
    "--path",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embedded cluster directory to serve (default: the bundled demo data).",
)
@click.option(
    "--cluster",
    "cluster_alias",
    metavar="ALIAS",
    help="Serve the embedded cluster ALIAS of the configuration file instead.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file for --cluster (default: $ESQLSH_CONFIG, then the user's).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=9200,
    show_default=True,
    help="Port to listen on (0: any free port; the one taken is printed).",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    metavar="KEY",
    help="Accept requests carrying this API key (repeatable). "
    "ESQLSH_SERVE_API_KEYS (comma-separated) keeps keys out of the process list.",
)
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve HTTPS with this certificate (PEM, chain included).",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The certificate's private key (PEM).",
)
@click.option(
    "--insecure-open",
    is_flag=True,
    help="Allow serving without API keys on an address other than loopback.",
)
@click.option("--name", "node_name", help="Node name (default: the host name).")
@click.option("--cluster-name", help="Cluster name (default: the cluster directory's name).")
@click.option(
    "--max-content-length",
    default="100mb",
    show_default=True,
    metavar="SIZE",
    help="Largest request body accepted (Elasticsearch's http.max_content_length).",
)
@click.pass_obj
def serve(invocation: Any, /, **options: Any) -> Any:
    """Serve an embedded cluster with Elasticsearch's REST API (ES|QL and metadata).

    \b
    Clients of Elasticsearch (its official clients, curl, another esqlsh) can
    query the cluster as if it were Elasticsearch 9.1:
      esqlsh serve --path ./data --port 9200
      curl -s localhost:9200/_query -H 'Content-Type: application/json' \\
           -d '{"query": "FROM logs | LIMIT 5"}'

    Listens on 127.0.0.1 unless told otherwise; another address needs API keys
    (or --insecure-open). Stop it with Ctrl-C or SIGTERM.
    """
    from esqlsh.exit import ExitStatus

    env = invocation.env
    settings, cluster, listen = _prepare(options, env.environ)
    from esqlsh.server.run import TlsSetupError
    from esqlsh.server.run import serve as run_node

    try:
        run_node(cluster, settings, listen, env.stderr)
    except TlsSetupError as err:
        raise click.ClickException(str(err)) from None
    return ExitStatus.OK


def _prepare(options: dict[str, Any], environ: Mapping[str, str]) -> tuple[Any, Any, Any]:
    """Settings, cluster and address from the options; usage errors raised here."""
    from esqlsh.server.run import Listen, is_loopback
    from esqlsh.server.settings import (
        FaultHooks,
        NodeSettings,
        cluster_uuid_for,
        parse_api_keys,
        parse_byte_size,
    )

    keys = parse_api_keys(options["api_keys"], environ)
    host = options["host"]
    if not keys and not options["insecure_open"] and not is_loopback(host):
        raise click.UsageError(
            f"refusing to serve without API keys on [{host}], which is not a loopback "
            "address; give --api-key (or ESQLSH_SERVE_API_KEYS), or --insecure-open"
        )
    if (options["tls_cert"] is None) != (options["tls_key"] is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    try:
        max_length = parse_byte_size(options["max_content_length"])
        hooks = FaultHooks.from_environ(environ)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    cluster = _open_cluster(options, environ)
    settings = NodeSettings(
        node_name=options["node_name"] or socket.gethostname() or "esqlsh",
        cluster_name=options["cluster_name"] or cluster.name,
        cluster_uuid=cluster_uuid_for(cluster.path),
        api_keys=keys,
        max_content_length=max_length,
        hooks=hooks,
        query_threads=min(8, os.cpu_count() or 2),
    )
    listen = Listen(host, options["port"], options["tls_cert"], options["tls_key"])
    return settings, cluster, listen


def _open_cluster(options: dict[str, Any], environ: Mapping[str, str]) -> EmbeddedCluster:
    path, alias = options["path"], options["cluster_alias"]
    if path is not None and alias is not None:
        raise click.UsageError("use either --path or --cluster, not both")
    if alias is not None:
        path = _configured_path(alias, options["config_path"], environ)
    if path is None:
        from esqlsh.cli import default_data_path

        path = default_data_path()
    if not Path(path).is_dir():
        raise click.UsageError(f"--path: no such directory: {path}")
    from esqlsh.server.data_cache import ServedCluster

    return ServedCluster(path)


def _configured_path(alias: str, config_path: Path | None, environ: Mapping[str, str]) -> Path:
    """The directory of the embedded cluster ``alias`` in the configuration."""
    from esqlsh.clusters.config import read_config

    config = read_config(config_path, environ)
    spec = config.clusters.get(alias)
    if spec is None:
        known = ", ".join(config.clusters) or "none"
        raise click.UsageError(f"--cluster: no cluster [{alias}] in the configuration ({known})")
    if spec.type != "embedded" or spec.path is None:
        raise click.UsageError(
            f"--cluster: [{alias}] is an {spec.type} cluster; only embedded clusters can be served"
        )
    return spec.path
