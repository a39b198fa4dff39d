"""The queries of the conformance csv-spec files, read as Elasticsearch's
``CsvSpecReader`` reads them (see /work/shared/conformance/README.md).

Only the query of each test matters here: a name line, optional directive lines
(``required_capability:``, ``schema::``, ``approximate:``, plus the ``required_feature:``,
``skip_flattened_rewrite:`` and ``request_stored:`` lines of older and newer spec
files), then query lines up to the first line ending in ``;``, joined with ``\\r\\n``.
``//`` and ``#`` lines are skipped everywhere; ``\\;`` is a literal ``;``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SPECS = Path("/work/shared/conformance/specs")
_DIRECTIVES = (
    "required_capability:",
    "required_feature:",
    "skip_flattened_rewrite:",
    "request_stored:",
    "schema::",
    "approximate:",
)


@dataclass(frozen=True)
class SpecQuery:
    file: str
    name: str
    query: str

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"


def read_queries(path: Path) -> list[SpecQuery]:
    queries: list[SpecQuery] = []
    state, name, lines = "name", "", []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("//", "#")):
            continue
        if state == "name":
            name, lines, state = line.split("#")[0].strip(), [], "directives"
            continue
        if state == "directives" and line.lower().startswith(_DIRECTIVES):
            continue
        if state in ("directives", "query"):
            state = "query"
            if line.endswith(";") and not line.endswith("\\;"):
                lines.append(line[:-1].strip())
                query = "\r\n".join(lines).replace("\\;", ";")
                queries.append(SpecQuery(path.name, name, query))
                state = "results"
            else:
                lines.append(line)
        elif line.startswith(";"):
            state = "name"
    return queries


def all_queries() -> list[SpecQuery]:
    return [q for path in sorted(SPECS.glob("*.csv-spec")) for q in read_queries(path)]
