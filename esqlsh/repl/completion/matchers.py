"""The second completion step: each ``Suggestion`` kind → candidates.

One matcher per kind (a dict of suggestion type → function), each reading the
function registry or a ``MetadataSource`` and returning ``Candidate``s: names
starting with the prefix first (any case), then fuzzy matches (the prefix's
characters in order). A candidate knows the text to insert, how many characters
before the cursor it replaces, and its ``meta`` (a field's type, a function's
signature, an index's cluster).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from esqlsh.clusters.resolve import wildcard_regex
from esqlsh.repl.completion.metadata import MetadataSource
from esqlsh.repl.completion.names import NameIndex
from esqlsh.repl.completion.suggest import (
    AGGREGATE,
    ALL_FUNCTIONS,
    GROUPING,
    META_COMMANDS,
    PROCESSING_COMMANDS,
    SCALAR,
    SOURCE_COMMANDS,
    Cluster,
    Command,
    Field,
    FilePath,
    Format,
    Function,
    Index,
    Keyword,
    LookupIndex,
    MetaCommand,
    Policy,
    PolicyField,
    Suggestion,
)

__all__ = ["Candidate", "MatchOptions", "candidates", "quote_name", "warm_up"]


@dataclass(frozen=True)
class Candidate:
    """``text`` replaces the last ``replace`` characters before the cursor.
    ``tier`` 0 is a prefix match, 1 a fuzzy one; ``rank`` orders within a tier."""

    text: str
    replace: int
    display: str
    meta: str
    kind: str
    tier: int = 0
    rank: int = 0


@dataclass(frozen=True)
class MatchOptions:
    """``keyword_casing``: ``upper``, ``lower`` or ``auto`` (lower when the user
    types lower case). ``limit``: candidates per suggestion."""

    keyword_casing: str = "auto"
    limit: int = 100
    call_parenthesis: bool = True  # append "(" to a function name
    meta_commands: tuple[tuple[str, str], ...] = tuple(META_COMMANDS.items())
    formats: tuple[str, ...] = ()


Matcher = Callable[[Suggestion, MetadataSource, MatchOptions], list[Candidate]]


def candidates(
    suggestions: Sequence[Suggestion], metadata: MetadataSource, options: MatchOptions
) -> list[Candidate]:
    """Every suggestion's candidates: prefix matches of all kinds before fuzzy
    ones, in suggestion order; a text offered twice is kept once."""
    found: list[tuple[int, int, int, Candidate]] = []
    for order, suggestion in enumerate(suggestions):
        matcher = _MATCHERS.get(type(suggestion))
        if matcher is None:
            continue
        for c in matcher(suggestion, metadata, options):
            found.append((c.tier, order, c.rank, c))
    found.sort(key=lambda item: item[:3])
    seen: set[str] = set()
    out = []
    for *_, c in found:
        if c.text not in seen:
            seen.add(c.text)
            out.append(c)
    return out


# --------------------------------------------------------------- matching


def _match(
    index: NameIndex | None,
    prefix: str,
    limit: int,
    *,
    kind: str,
    insert: Callable[[str], str] = lambda name: name,
    meta: Callable[[str, str], str] = lambda name, meta: meta,
    replace: int | None = None,
) -> list[Candidate]:
    """Prefix then fuzzy matches of ``prefix`` among ``index``'s names."""
    if index is None or not len(index):
        return []
    width = len(prefix) if replace is None else replace
    exact = index.prefixed(prefix, limit)
    fuzzy = index.fuzzy(prefix, limit - len(exact), exact) if _wants_fuzzy(prefix, exact) else []
    out = []
    for tier, positions in ((0, exact), (1, fuzzy)):
        for rank, i in enumerate(positions):
            name = index.names[i]
            out.append(
                Candidate(insert(name), width, name, meta(name, index.metas[i]), kind, tier, rank)
            )
    return out


# Fuzzy matches fill a menu the prefix matches leave short; past this many
# prefix matches nobody scrolls down to them (and they cost a scan of every name).
FUZZY_BELOW = 20


def _wants_fuzzy(prefix: str, exact: Sequence[int]) -> bool:
    # a word with a wildcard is a pattern being written, not a name to guess
    return bool(prefix) and "*" not in prefix and len(exact) < FUZZY_BELOW


@functools.lru_cache(maxsize=64)
def _words_index(words: tuple[str, ...]) -> NameIndex:
    return NameIndex(words)


def _cased(word: str, prefix: str, casing: str) -> str:
    if casing == "lower" or (casing == "auto" and prefix and prefix == prefix.lower()):
        return word.lower()
    return word.upper()


# ------------------------------------------------------------------ matchers


def _commands(s: Command, _: MetadataSource, o: MatchOptions) -> list[Candidate]:
    words = SOURCE_COMMANDS if s.source else PROCESSING_COMMANDS
    meta = "source command" if s.source else "processing command"
    return _match(
        _words_index(words),
        s.prefix,
        o.limit,
        kind="command",
        insert=lambda w: _cased(w, s.prefix, o.keyword_casing),
        meta=lambda *_: meta,
    )


def _keywords(s: Keyword, _: MetadataSource, o: MatchOptions) -> list[Candidate]:
    insert = (lambda w: w) if s.verbatim else (lambda w: _cased(w, s.prefix, o.keyword_casing))
    return _match(
        _words_index(s.words),
        s.prefix,
        o.limit,
        kind="keyword",
        insert=insert,
        meta=lambda *_: "keyword",
    )


@functools.lru_cache(maxsize=16)
def _functions_index(kinds: frozenset[str]) -> NameIndex:
    from esqlsh.analysis.registry import public_functions

    chosen = [f for f in public_functions() if f.kind in kinds]
    return NameIndex([f.name.upper() for f in chosen], [f.signature for f in chosen])


def warm_up() -> None:
    """Build the function lists every statement may need (import the registry)."""
    with contextlib.suppress(Exception):  # a broken registry shows up on Tab instead
        for kinds in (SCALAR, AGGREGATE, GROUPING, ALL_FUNCTIONS):
            _functions_index(kinds)


def _functions(s: Function, _: MetadataSource, o: MatchOptions) -> list[Candidate]:
    paren = "(" if o.call_parenthesis else ""
    return _match(
        _functions_index(s.kinds),
        s.prefix,
        o.limit,
        kind="function",
        insert=lambda name: _cased(name, s.prefix, o.keyword_casing) + paren,
    )


_PLAIN_NAME = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9_]*|[_@][a-zA-Z0-9_]+)(?:\.(?:[a-zA-Z0-9_@]+))*")


def quote_name(name: str) -> str:
    """A column name as ES|QL must write it (backquoted unless plain)."""
    if _PLAIN_NAME.fullmatch(name):
        return name
    return "`" + name.replace("`", "``") + "`"


def _fields(s: Field, m: MetadataSource, o: MatchOptions) -> list[Candidate]:
    prefix, quoted = s.prefix, s.prefix.startswith("`")
    typed = prefix[1:].replace("``", "`") if quoted else prefix
    insert = (lambda n: "`" + n.replace("`", "``") + "`") if quoted else quote_name
    return _match(
        m.fields(s.scope),
        typed,
        o.limit,
        kind="field",
        insert=insert,
        meta=lambda _, t: t or "field",
        replace=len(prefix),
    )


def _clusters(s: Cluster, m: MetadataSource, o: MatchOptions) -> list[Candidate]:
    aliases = m.remote_aliases()
    if not s.colon:
        local = m.local_alias()
        aliases = [*([local] if local else []), *aliases]
    suffix = ":" if s.colon else ""
    names = NameIndex(
        [*aliases, *(["*"] if s.colon and aliases else [])],
        [
            *(m.describe(a) for a in aliases),
            *(["every remote cluster"] if s.colon and aliases else []),
        ],
    )
    return _match(names, s.prefix, o.limit, kind="cluster", insert=lambda a: a + suffix)


def _indices(s: Index, m: MetadataSource, o: MatchOptions) -> list[Candidate]:
    if s.cluster is None:
        local = m.local_alias()
        return _match(
            m.indices(None),
            s.prefix,
            o.limit,
            kind="index",
            meta=lambda _, t: _index_meta(local, t),
        )
    found: list[Candidate] = []
    for alias in _aliases_matching(m, s.cluster):
        found += _match(
            m.indices(alias),
            s.prefix,
            o.limit,
            kind="index",
            meta=functools.partial(_cluster_index_meta, alias),
        )
    return _merge_same_text(found)


def _cluster_index_meta(alias: str, name: str, mode: str) -> str:
    return _index_meta(alias, mode)


def _index_meta(alias: str | None, mode: str) -> str:
    where = alias or "(local)"
    return f"{where} · {mode}" if mode else where


def _aliases_matching(m: MetadataSource, pattern: str) -> list[str]:
    regex = wildcard_regex(pattern)
    return [a for a in m.remote_aliases() if regex.fullmatch(a)]


def _merge_same_text(found: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per name, its meta naming every cluster that has it."""
    by_text: dict[str, Candidate] = {}
    for c in sorted(found, key=lambda c: (c.tier, c.rank)):
        known = by_text.get(c.text)
        if known is None:
            by_text[c.text] = c
        elif c.meta not in known.meta.split(", "):
            by_text[c.text] = Candidate(
                known.text,
                known.replace,
                known.display,
                f"{known.meta}, {c.meta}",
                known.kind,
                known.tier,
                known.rank,
            )
    return list(by_text.values())


def _policies(s: Policy, m: MetadataSource, o: MatchOptions) -> list[Candidate]:
    found: list[Candidate] = []
    for alias in _policy_clusters(s, m):
        where = alias or m.local_alias() or "(local)"
        found += _match(
            m.policy_names(alias),
            s.prefix,
            o.limit,
            kind="policy",
            meta=functools.partial(_policy_meta, where),
        )
    return _merge_policies(found)


def _policy_meta(where: str, name: str, meta: str) -> str:
    return f"{meta} · {where}"


def _policy_clusters(s: Policy, m: MetadataSource) -> list[str | None]:
    """Where the policy must exist: ``_coordinator`` the local cluster, ``_remote``
    the query's clusters, otherwise the local one and the query's remotes."""
    if s.mode == "_coordinator":
        return [None]
    named = [c for c in s.clusters if c]
    remotes: list[str] = []
    for pattern in named:
        remotes += [a for a in _aliases_matching(m, pattern.lstrip("-")) if a not in remotes]
    if s.mode == "_remote":
        local = [None] if "" in s.clusters or not s.clusters else []
        return [*local, *(remotes or m.remote_aliases())]
    return [None, *remotes]


def _merge_policies(found: list[Candidate]) -> list[Candidate]:
    by_text: dict[str, Candidate] = {}
    for c in sorted(found, key=lambda c: (c.tier, c.rank)):
        known = by_text.get(c.text)
        if known is None:
            by_text[c.text] = c
        else:
            where = c.meta.rsplit(" · ", 1)[-1]
            by_text[c.text] = Candidate(
                known.text,
                known.replace,
                known.display,
                f"{known.meta}, {where}",
                known.kind,
                known.tier,
                known.rank,
            )
    return list(by_text.values())


def _policy_fields(s: PolicyField, m: MetadataSource, o: MatchOptions) -> list[Candidate]:
    return _match(
        m.policy_fields(s.policy, s.mode),
        s.prefix,
        o.limit,
        kind="field",
        insert=quote_name,
        meta=lambda _, t: f"{t} · {s.policy}" if t else s.policy,
    )


def _lookup_indices(s: LookupIndex, m: MetadataSource, o: MatchOptions) -> list[Candidate]:
    return _match(
        m.lookup_indices(), s.prefix, o.limit, kind="index", meta=lambda *_: "lookup index"
    )


def _meta_commands(s: MetaCommand, _: MetadataSource, o: MatchOptions) -> list[Candidate]:
    names, metas = zip(*o.meta_commands, strict=True) if o.meta_commands else ((), ())
    return _match(NameIndex(names, metas), s.prefix, o.limit, kind="meta")


def _formats(s: Format, _: MetadataSource, o: MatchOptions) -> list[Candidate]:
    return _match(
        _words_index(o.formats), s.prefix, o.limit, kind="format", meta=lambda *_: "format"
    )


def _paths(s: FilePath, _: MetadataSource, o: MatchOptions) -> list[Candidate]:
    from prompt_toolkit.completion import CompleteEvent, PathCompleter
    from prompt_toolkit.document import Document

    out = []
    completions = PathCompleter(expanduser=True).get_completions(
        Document(s.prefix), CompleteEvent()
    )
    for rank, c in enumerate(completions):
        if rank >= o.limit:
            break
        replace = -c.start_position
        text = s.prefix[len(s.prefix) - replace :] + c.text if replace else c.text
        if not text:
            continue  # the name is complete already
        out.append(Candidate(text, replace, c.display_text, "file", "file", 0, rank))
    return out


_MATCHERS: dict[type, Matcher] = {
    Command: _commands,  # type: ignore[dict-item]
    Keyword: _keywords,  # type: ignore[dict-item]
    Function: _functions,  # type: ignore[dict-item]
    Field: _fields,  # type: ignore[dict-item]
    Cluster: _clusters,  # type: ignore[dict-item]
    Index: _indices,  # type: ignore[dict-item]
    Policy: _policies,  # type: ignore[dict-item]
    PolicyField: _policy_fields,  # type: ignore[dict-item]
    LookupIndex: _lookup_indices,  # type: ignore[dict-item]
    MetaCommand: _meta_commands,  # type: ignore[dict-item]
    Format: _formats,  # type: ignore[dict-item]
    FilePath: _paths,  # type: ignore[dict-item]
}
