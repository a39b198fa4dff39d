"""Where statements end: Enter's decision, ``;`` outside strings and comments, and
``\\i`` files split into statements."""

from __future__ import annotations

import pytest

from esqlsh.repl.statements import (
    ends_statement,
    is_meta,
    should_submit,
    split_statements,
    strip_terminator,
)


@pytest.mark.parametrize(
    ("text", "submit"),
    [
        ("", True),
        ("   ", True),
        ("\\clusters", True),
        ("  \\describe logs ", True),
        ("quit", True),
        ("FROM logs", False),
        ("FROM logs;", True),
        ("FROM logs ;  ", True),
        ("FROM logs\n| LIMIT 1", False),
        ("FROM logs\n| LIMIT 1\n", True),  # Enter on an empty line
        ("FROM logs\n| LIMIT 1\n   ", True),
        ('ROW a = "x;"', False),
        ('ROW a = "x;', False),
        ('ROW a = """\n', False),  # a blank line inside a string is part of it
        ('ROW a = """;\n\n""";', True),
        ("ROW a = 1 // done;", False),
        ("ROW a = 1 /* ; */", False),
        ("ROW a = 1 /* ;\n", False),
        ("ROW `a;` = 1", False),
        ("ROW `a``;` = 1;", True),
        ('ROW a = "\\";"', False),
        ("FROM logs | \\e", True),
    ],
)
def test_should_submit(text: str, submit: bool) -> None:
    assert should_submit(text) is submit


def test_blank_line_counts_only_with_the_cursor_at_the_end() -> None:
    assert should_submit("FROM logs\n", cursor_at_end=False) is False


def test_ends_statement_and_strip() -> None:
    assert ends_statement("ROW a = 1;")
    assert not ends_statement('ROW a = ";"')
    assert strip_terminator(" ROW a = 1 ;; ") == "ROW a = 1"
    assert strip_terminator('ROW a = ";"') == 'ROW a = ";"'


def test_is_meta() -> None:
    assert is_meta("\\q") and is_meta("EXIT") and not is_meta("FROM x")


def test_split_statements() -> None:
    text = (
        "\\format csv\n"
        "ROW a = 1;\n"
        "FROM logs\n"
        "| LIMIT 1\n"
        "\n"
        'ROW b = ";"; \n'
        "/* a ; comment */ ROW c = 1\n"
        'ROW d = """\n'
        "\n"
        '""";\n'
        "\n\n"
    )
    assert split_statements(text) == [
        "\\format csv",
        "ROW a = 1",
        "FROM logs\n| LIMIT 1",
        'ROW b = ";"',
        '/* a ; comment */ ROW c = 1\nROW d = """\n\n"""',
    ]
