"""The shell completions in ``completions/``: each script sourced in its own shell
(bash always; zsh and fish where they are installed, as the issue asks: a missing
shell is a visible skip naming it, never a silent pass), and the option lists of
all three kept equal to the command's own options."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from esqlsh.cli import cli
from esqlsh.render.formats import FORMATS

REPO = Path(__file__).resolve().parents[2]
COMPLETIONS = REPO / "completions"
BASH = COMPLETIONS / "esqlsh.bash"
ZSH = COMPLETIONS / "_esqlsh"
FISH = COMPLETIONS / "esqlsh.fish"
BIN = Path(sys.executable).parent  # where the esqlsh console script is
DEMO_ALIASES = ["local", "cluster_one", "cluster_two", "cluster_three"]


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """PATH finds this esqlsh; no user configuration (the demo is the default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESQLSH_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ESQLSH_CONFIG_DIR"] = str(tmp_path / "no-config")
    env["HOME"] = str(tmp_path)
    env["NO_COLOR"] = "1"
    return env


def options_of(command: click.Command) -> set[str]:
    """Every visible option string of ``command`` (with -h/--help)."""
    names = {"-h", "--help"}
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def subcommand(name: str) -> click.Command:
    assert isinstance(cli, click.Group)
    return cli.commands[name]


ALL_OPTIONS = options_of(cli) | options_of(subcommand("load")) | options_of(subcommand("serve"))


# ------------------------------------------------------------------ bash


def bash_complete(env: dict[str, str], *lines: str) -> list[list[str]]:
    """Complete each line (the cursor at its end) with the script's function, as
    bash does: COMP_WORDS split at blanks and at `=`, COMP_CWORD the last word."""
    calls = []
    for line in lines:
        words = re.findall(r"=|[^\s=]+", line) + ([""] if line.endswith(" ") else [])
        calls.append(
            f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); "
            "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _esqlsh; "
            'printf "%s\\n" "${COMPREPLY[@]}"; echo "--END--"'
        )
    script = f"source {shlex.quote(str(BASH))}\n" + "\n".join(calls)
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    answers = done.stdout.split("--END--\n")
    return [[w for w in answer.splitlines() if w] for answer in answers[:-1]]


def test_bash_registers_the_function(shell_env: dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"source {BASH}; complete -p esqlsh"],
        capture_output=True,
        text=True,
        env=shell_env,
        timeout=30,
    )
    assert done.stdout.strip() == "complete -F _esqlsh esqlsh"


def test_bash_options_and_formats(shell_env: dict[str, str]) -> None:
    option, formats, split, after_split, prefix = bash_complete(
        shell_env,
        "esqlsh --for",
        "esqlsh --format ",
        "esqlsh --format=",
        "esqlsh --format=cs",
        "esqlsh -q 'ROW a = 1' --format n",
    )
    assert option == ["--format"]
    assert formats == list(FORMATS)
    assert split == list(FORMATS)
    assert after_split == ["csv"]
    assert prefix == ["ndjson"]


def test_bash_subcommands_and_their_options(shell_env: dict[str, str]) -> None:
    commands, serve, load, top = bash_complete(
        shell_env, "esqlsh ", "esqlsh serve --cl", "esqlsh load --re", "esqlsh --path x --q"
    )
    assert commands == ["load", "serve"]
    assert serve == ["--cluster", "--cluster-name"]
    assert load == ["--replace"]
    assert top == ["--query", "--quiet"]


def test_bash_cluster_aliases_come_from_the_config(
    shell_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "clusters.yaml"
    config.write_text(
        "local: here\nclusters:\n"
        f"  here: {{type: embedded, path: {tmp_path}}}\n"
        "  eu_west: {type: elasticsearch, hosts: 'http://127.0.0.1:9'}\n"
        "  eu_north: {type: elasticsearch, hosts: 'http://127.0.0.1:9'}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    demo, named, prefixed, serve, path_only = bash_complete(
        shell_env,
        "esqlsh --server-side ",
        f"esqlsh --config {config} --server-side ",
        f"esqlsh --config {config} --server-side eu",
        "esqlsh serve --cluster cluster_t",
        f"esqlsh --path {tmp_path} --server-side ",
    )
    assert demo == DEMO_ALIASES
    assert named == ["here", "eu_west", "eu_north"]
    assert prefixed == ["eu_west", "eu_north"]
    assert serve == ["cluster_two", "cluster_three"]
    assert path_only == ["local"]


def test_bash_files_and_directories(shell_env: dict[str, str]) -> None:
    query_file, config, path = bash_complete(
        shell_env, "esqlsh -f READ", "esqlsh --config pyproject.t", "esqlsh --path esqlsh/da"
    )
    assert query_file == ["README.md"]
    assert config == ["pyproject.toml"]
    assert path == ["esqlsh/data"]


# ------------------------------------------------------------------ zsh


@pytest.mark.skipif(
    shutil.which("zsh") is None, reason="zsh is not installed: completions/_esqlsh is not run"
)
def test_zsh_completes_options_and_formats(shell_env: dict[str, str]) -> None:
    import pexpect

    env = {**shell_env, "PS1": "%% ", "TERM": "xterm"}
    child = pexpect.spawn(
        "zsh", ["-f", "-i"], env=env, encoding="utf-8", dimensions=(40, 200), timeout=20
    )
    try:
        child.sendline(
            f"bindkey -e; fpath=({COMPLETIONS} $fpath); autoload -Uz compinit; compinit -u -D; "
            "echo READY-$((6 * 7))"
        )
        child.expect("READY-42")
        child.send("esqlsh --for\t")
        child.expect("--format")
        child.send("\x15")  # Ctrl-U: a new line
        child.send("esqlsh --format \t")
        child.expect("ndjson")
        child.expect("markdown|arrow")
        child.send("\x15")
        child.send("esqlsh --server-side \t")
        child.expect("cluster_three")
        child.send("\x15")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


# ------------------------------------------------------------------ fish


def fish_complete(env: dict[str, str], line: str) -> list[str]:
    script = f"source {shlex.quote(str(FISH))}; complete -C {shlex.quote(line)}"
    done = subprocess.run(
        ["fish", "--no-config", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [entry.split("\t", 1)[0] for entry in done.stdout.splitlines()]


@pytest.mark.skipif(
    shutil.which("fish") is None, reason="fish is not installed: completions/esqlsh.fish is not run"
)
def test_fish_completes_options_formats_and_aliases(shell_env: dict[str, str]) -> None:
    assert fish_complete(shell_env, "esqlsh --for") == ["--format"]
    assert sorted(fish_complete(shell_env, "esqlsh --format ")) == sorted(FORMATS)
    assert fish_complete(shell_env, "esqlsh --server-side ") == DEMO_ALIASES
    assert {"load", "serve"} <= set(fish_complete(shell_env, "esqlsh "))


# ------------------------------------------------------------------ in step with the command


def bash_lists() -> dict[str, str]:
    names = ["options", "load_options", "serve_options", "formats", "commands"]
    script = f"source {BASH}; " + "; ".join(f"echo \"${{_esqlsh_{n}//$'\\n'/ }}\"" for n in names)
    done = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return dict(zip(names, done.stdout.splitlines(), strict=True))


def test_bash_lists_match_the_command() -> None:
    lists = bash_lists()
    assert set(lists["options"].split()) == options_of(cli)
    assert set(lists["load_options"].split()) == options_of(subcommand("load"))
    assert set(lists["serve_options"].split()) == options_of(subcommand("serve"))
    assert lists["formats"].split() == list(FORMATS)
    assert isinstance(cli, click.Group)
    assert lists["commands"].split() == sorted(cli.commands)


def _code(path: Path) -> str:
    """The script without its comment lines."""
    return "\n".join(
        line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
    )


def test_zsh_script_names_every_option_and_format() -> None:
    code = _code(ZSH)
    longs = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", code))
    shorts = set(re.findall(r"(?<![\w-])-[a-zA-Z](?=[+,}\[])", code))
    assert "--list-clusters" in longs  # how it asks for the aliases, not an option it offers
    assert (longs - {"--list-clusters"}) | shorts == ALL_OPTIONS
    assert f"formats=({' '.join(FORMATS)})" in code


def test_fish_script_names_every_option_and_format() -> None:
    code = _code(FISH)
    rules = "\n".join(line for line in code.splitlines() if line.startswith("complete -c esqlsh"))
    longs = {f"--{name}" for name in re.findall(r" -l ([a-z][a-z-]*)", rules)}
    shorts = {f"-{name}" for name in re.findall(r" -s ([a-zA-Z])\b", rules)}
    assert longs | shorts == ALL_OPTIONS
    assert f"set -l formats {' '.join(FORMATS)}" in code


def test_list_clusters_is_hidden_and_prints_aliases(shell_env: dict[str, str]) -> None:
    esqlsh = str(BIN / "esqlsh")
    done = subprocess.run(
        [esqlsh, "--list-clusters"], capture_output=True, text=True, env=shell_env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == DEMO_ALIASES
    helped = subprocess.run([esqlsh, "--help"], capture_output=True, text=True, env=shell_env)
    assert "--list-clusters" not in helped.stdout
