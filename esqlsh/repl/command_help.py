"""``\\help COMMAND``: the syntax and purpose of each ES|QL command, in the words of
Elasticsearch's ES|QL command reference (9.1)."""

from __future__ import annotations

# name -> (syntax lines, description)
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "FROM": (
        ("FROM index_pattern [METADATA fields]",),
        "Returns a table with data from a data stream, index, or alias. Patterns may "
        "name clusters (cluster_one:logs-*, *:logs-*) and exclude indices (-logs-old).",
    ),
    "ROW": (
        ("ROW column1 = value1[, ..., columnN = valueN]",),
        "Produces a row with one or more columns with values that you specify.",
    ),
    "SHOW": (
        ("SHOW INFO",),
        "Returns information about the deployment and its capabilities.",
    ),
    "WHERE": (
        ("WHERE expression",),
        "Produces a table that contains all the rows from the input table for which "
        "the provided condition evaluates to true.",
    ),
    "EVAL": (
        ("EVAL [column1 =] value1[, ..., [columnN =] valueN]",),
        "Appends new columns with calculated values.",
    ),
    "STATS": (
        (
            "STATS [column1 =] expression1 [WHERE boolean_expression1][, ...]",
            "    [BY grouping_expression1[, ..., grouping_expressionN]]",
        ),
        "Groups rows according to a common value and calculates one or more aggregated "
        "values over the grouped rows.",
    ),
    "INLINE STATS": (
        ("INLINE STATS [column1 =] expression1[, ...] [BY grouping_expression1[, ...]]",),
        "Like STATS, but adds the aggregated values to every row instead of collapsing the rows.",
    ),
    "KEEP": (
        ("KEEP column1[, ..., columnN]",),
        "Specifies what columns are returned and the order in which they are returned.",
    ),
    "DROP": (
        ("DROP column1[, ..., columnN]",),
        "Removes one or more columns.",
    ),
    "RENAME": (
        (
            "RENAME old_name1 AS new_name1[, ..., old_nameN AS new_nameN]",
            "RENAME new_name1 = old_name1[, ...]",
        ),
        "Renames one or more columns.",
    ),
    "SORT": (
        ("SORT column1 [ASC | DESC][NULLS FIRST | NULLS LAST][, ...]",),
        "Sorts a table on one or more columns.",
    ),
    "LIMIT": (
        ("LIMIT max_number_of_rows",),
        "Limits the number of rows returned (at most 10000; 1000 when a query has no LIMIT).",
    ),
    "DISSECT": (
        ('DISSECT input "pattern" [APPEND_SEPARATOR="<separator>"]',),
        "Extracts structured data out of a string, using a delimiter-based pattern.",
    ),
    "GROK": (
        ('GROK input "pattern"',),
        "Extracts structured data out of a string, using regular-expression-based grok patterns.",
    ),
    "ENRICH": (
        (
            "ENRICH [_any: | _coordinator: | _remote:]policy [ON match_field]",
            "    [WITH [new_name1 = ]field1, ...]",
        ),
        "Adds data from existing indices as new columns using an enrich policy. In a "
        "cross-cluster query the mode says where it runs.",
    ),
    "MV_EXPAND": (
        ("MV_EXPAND column",),
        "Expands multivalued columns into one row per value.",
    ),
    "LOOKUP JOIN": (
        ("LOOKUP JOIN lookup_index ON field_name[, ...]",),
        "Combines data from the query results table with matching records from the "
        "specified lookup index (an index in lookup mode).",
    ),
    "SAMPLE": (
        ("SAMPLE probability",),
        "Samples a fraction of the table rows (probability between 0 and 1, exclusive).",
    ),
}


def command_names() -> list[str]:
    return list(COMMANDS)


def command_help(name: str) -> str | None:
    """The help text of command ``name`` (any case, ``lookup join`` or ``lookup``);
    None when it is not a command."""
    key = " ".join(name.upper().split())
    if key not in COMMANDS:
        matches = [c for c in COMMANDS if c.split()[0] == key or c.split()[-1] == key]
        if len(matches) != 1:
            return None
        key = matches[0]
    syntax, description = COMMANDS[key]
    return "\n".join([*syntax, "", description])
