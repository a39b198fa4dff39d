"""The ES|QL tokenizer: query text → tokens, with Elasticsearch's lexer modes.

Elasticsearch's lexer is modal: a command keyword switches to the mode that lexes
its arguments (``FROM`` lexes index patterns such as ``logs-*`` or
``<logs-{now/d}>``; ``KEEP`` lexes name patterns such as ``emp_*``; ``ENRICH`` lexes
policy names such as ``_remote:my-policy``), ``|`` returns to command mode. Every
mode here reproduces the ANTLR rules of Elasticsearch 9.1, including "longest match
wins, the earlier rule wins ties" and the ``token recognition error`` text (the
input from the token's start up to and including the character where no rule
could continue).

``tokenize`` returns the visible tokens followed by ``EOF``; whitespace and comments
are dropped (their text is still in the query, which is what error messages
quote). A lexer error ends the list with an ``ERROR`` token: the parser reports it
when it reaches that token, as Elasticsearch's lazily-lexing parser does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from esqlsh.syntax.tokens import COMMANDS, EXPRESSION_KEYWORDS, OPERATORS, T, Token

_WS = re.compile(r"[ \r\n\t]+")
_COMMAND_WORD = re.compile(r"[^ \r\n\t\[\]/]+")
_NUMBER = re.compile(r"(?:\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_IDENT = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*|[_@][a-zA-Z0-9_]+")
_PARAM = re.compile(r"(\?\??)([a-zA-Z_][a-zA-Z0-9_]*|\d+)?")
_SETTING = re.compile(r"[@0-9.a-zA-Z_]+")
_UNQUOTED_PATTERN = re.compile(r"[a-zA-Z*][a-zA-Z0-9_*]*|[_@][a-zA-Z0-9_*]+")

# characters that end an unquoted index pattern (a '/' ends it only before '/' or '*')
_SOURCE_STOP = frozenset(':"=|,[]/() \t\r\n')
# characters that end an ENRICH policy name
_POLICY_STOP = frozenset('\\/?"<>| ,#\t\r\n:()')
_ESCAPES = frozenset('tnr"\\')

_JOIN_KEYWORDS = {"join": T.JOIN, "as": T.AS, "on": T.ON, "using": T.USING}
_SET_KEYWORDS = {"true": T.TRUE, "false": T.FALSE, "null": T.NULL}
_SET_PUNCTUATION = {
    "=": T.ASSIGN,
    ":": T.COLON,
    ",": T.COMMA,
    ".": T.DOT,
    "{": T.LEFT_BRACES,
    "}": T.RIGHT_BRACES,
    "[": T.OPENING_BRACKET,
    "]": T.CLOSING_BRACKET,
}

_PUSH_EXPRESSION_TWICE = frozenset({T.LP, T.OPENING_BRACKET})
_POP_TWICE = frozenset({T.RP, T.CLOSING_BRACKET})


class LexerError(Exception):
    """Raised internally when no lexer rule matches; ``fail`` is the offset of the
    first character no rule could take (it is part of the reported text)."""

    def __init__(self, fail: int):
        super().__init__(fail)
        self.fail = fail


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens (see the module docstring)."""
    return _Lexer(text).run()


def error_message(token: Token) -> str:
    """The message Elasticsearch gives for an ``ERROR`` token."""
    return f"token recognition error at: '{escape_ws(token.text)}'"


def escape_ws(text: str) -> str:
    """ANTLR's ``getErrorDisplay``: newlines and tabs shown as escapes."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self.pos = 0
        self.mode = "default"
        self.stack: list[str] = []
        self.tokens: list[Token] = []
        self.line = 1
        self.line_start = 0
        self.modes: dict[str, Callable[[], None]] = {
            "default": self._default,
            "expression": self._expression,
            "from": self._from,
            "project": self._project,
            "rename": self._rename,
            "enrich": self._enrich,
            "enrich_field": self._enrich_field,
            "setting": self._setting,
            "mvexpand": self._mvexpand,
            "show": self._show,
            "join": self._join,
            "change_point": self._change_point,
            "fork": self._fork,
            "set": self._set,
            "inline": self._inline,
        }

    # ----------------------------------------------------------------- driver

    def run(self) -> list[Token]:
        try:
            while self.pos < self.n:
                if not self._hidden():
                    self.modes[self.mode]()
        except LexerError as e:
            end = min(e.fail + 1, self.n)
            self._emit(T.ERROR, end)
            return self.tokens
        self._emit(T.EOF, self.n)
        return self.tokens

    def _emit(self, ttype: T, end: int) -> Token:
        start = self.pos
        token = Token(
            ttype, self.text[start:end], self.line, start - self.line_start + 1, start, end
        )
        self.tokens.append(token)
        self._advance(end)
        return token

    def _advance(self, end: int) -> None:
        if end - self.pos == 1 and self.text[self.pos] != "\n":
            self.pos = end
            return
        newlines = self.text.count("\n", self.pos, end)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.pos, end) + 1
        self.pos = end

    def _push(self, mode: str) -> None:
        self.stack.append(self.mode)
        self.mode = mode

    def _pop(self) -> None:
        # ANTLR would throw on an empty stack; staying in command mode is kinder
        self.mode = self.stack.pop() if self.stack else "default"

    def _emit_and_pop(self, ttype: T, end: int) -> None:
        """A token that ends its mode (ANTLR's ``-> popMode``)."""
        self._emit(ttype, end)
        self._pop()

    # ------------------------------------------------------ whitespace, comments

    def _hidden(self) -> bool:
        """Skip whitespace or a comment at ``pos``; True when something was skipped."""
        text, pos = self.text, self.pos
        c = text[pos]
        if c == " " and (pos + 1 >= self.n or text[pos + 1] not in " \r\n\t"):
            self.pos = pos + 1  # the common single space: no newline to count
            return True
        if c in " \r\n\t":
            m = _WS.match(text, pos)
            assert m is not None
            self._advance(m.end())
            return True
        if c != "/" or pos + 1 >= self.n:
            return False
        nxt = text[pos + 1]
        if nxt == "/":
            end = pos + 2
            while end < self.n and text[end] not in "\r\n":
                end += 1
            if end < self.n and text[end] == "\r":
                end += 1
            if end < self.n and text[end] == "\n":
                end += 1
            self._advance(end)
            return True
        if nxt == "*":
            comment_end = self._block_comment_end(pos)
            if comment_end is None:
                return False  # unterminated: the mode decides (SLASH or an error)
            self._advance(comment_end)
            return True
        return False

    def _block_comment_end(self, pos: int) -> int | None:
        """End of a (nestable) ``/* … */`` comment starting at ``pos``."""
        text, depth, i = self.text, 0, pos
        while i < self.n - 1:
            pair = text[i : i + 2]
            if pair == "/*":
                depth += 1
                i += 2
            elif pair == "*/":
                depth -= 1
                i += 2
                if depth == 0:
                    return i
            else:
                i += 1
        return None

    # -------------------------------------------------------------- scanners

    def _dead_after(self, pos: int) -> LexerError:
        """A rule matched ``text[pos]`` but no rule can take the next character."""
        return LexerError(pos + 1)

    def _string_end(self, pos: int) -> int:
        """End of a ``"…"`` or ``\"\"\"…\"\"\"`` string at ``pos``."""
        triple_end, triple_fail = self._triple_string_end(pos)
        regular_end, regular_fail = self._regular_string_end(pos)
        best = max(triple_end, regular_end)
        if best > 0:
            return best
        raise LexerError(max(triple_fail, regular_fail))

    def _triple_string_end(self, pos: int) -> tuple[int, int]:
        text = self.text
        if not text.startswith('"""', pos):
            return -1, -1
        i = pos + 3
        while i < self.n:
            c = text[i]
            if c in "\r\n":
                return -1, i
            if text.startswith('"""', i):
                end = i + 3
                for _ in range(2):
                    if end < self.n and text[end] == '"':
                        end += 1
                return end, end
            i += 1
        return -1, self.n

    def _regular_string_end(self, pos: int) -> tuple[int, int]:
        text, i = self.text, pos + 1
        while i < self.n:
            c = text[i]
            if c == '"':
                return i + 1, i + 1
            if c == "\\":
                if i + 1 < self.n and text[i + 1] in _ESCAPES:
                    i += 2
                    continue
                return -1, i + 1
            if c in "\r\n":
                return -1, i
            i += 1
        return -1, self.n

    def _quoted_id_end(self, pos: int) -> int:
        """End of a backquoted identifier: `` `a``b` `` (a doubled backquote escapes)."""
        text, i, blocks, accept = self.text, pos + 1, 0, -1
        while i < self.n:
            if text[i] == "`":
                if blocks:
                    accept = i + 1
                if i + 1 < self.n and text[i + 1] == "`":
                    i += 2
                    blocks += 1
                    continue
                if blocks:
                    return i + 1
                raise LexerError(i + 1)
            blocks += 1
            i += 1
        if accept > 0:
            return accept
        raise LexerError(self.n)

    def _source_end(self, pos: int) -> int:
        """End of an unquoted index pattern (``UNQUOTED_SOURCE``); ``pos`` if none."""
        text, i = self.text, pos
        while i < self.n:
            c = text[i]
            if c == "/":
                if i + 1 < self.n and text[i + 1] not in "*/":
                    i += 2
                    continue
                break
            if c in _SOURCE_STOP:
                break
            i += 1
        return i

    def _id_pattern_end(self, pos: int) -> int:
        """End of a name pattern (``ID_PATTERN``: ``a*``, `` `a b`* ``); ``pos`` if none."""
        i = pos
        while i < self.n:
            if self.text[i] == "`":
                i = self._quoted_id_end(i)
                continue
            m = _UNQUOTED_PATTERN.match(self.text, i)
            if m is None:
                break
            i = m.end()
        return i

    def _params(self) -> bool:
        """``?``, ``??``, ``?name``, ``?1``, ``??name``; False when not at a ``?``."""
        m = _PARAM.match(self.text, self.pos)
        if m is None:
            return False
        double = len(m.group(1)) == 2
        if m.group(2) is None:
            self._emit(T.DOUBLE_PARAMS if double else T.PARAM, m.end())
        else:
            named = T.NAMED_OR_POSITIONAL_DOUBLE_PARAMS if double else T.NAMED_OR_POSITIONAL_PARAM
            self._emit(named, m.end())
        return True

    def _unterminated_comment(self) -> None:
        """A ``/*`` that never closes, in a mode without a ``/`` token."""
        if self.text.startswith("/*", self.pos):
            raise LexerError(self.n)

    def _fail_here(self) -> LexerError:
        """No rule matches at ``pos``: ``/`` alone is a prefix of the comment rules."""
        if self.text[self.pos] == "/":
            self._unterminated_comment()
            return self._dead_after(self.pos)
        return LexerError(self.pos)

    # ----------------------------------------------------------------- modes

    def _default(self) -> None:
        m = _COMMAND_WORD.match(self.text, self.pos)
        if m is None:
            raise self._fail_here()
        command = COMMANDS.get(m.group().lower())
        if command is None:
            self._emit(T.UNKNOWN_CMD, m.end())
            self._push("expression")
            return
        ttype, mode = command
        self._emit(ttype, m.end())
        self._push(mode)

    def _expression(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c == '"':
            self._emit(T.QUOTED_STRING, self._string_end(pos))
        elif "0" <= c <= "9" or (c == "." and pos + 1 < self.n and "0" <= text[pos + 1] <= "9"):
            self._number()
        elif c.isascii() and (c.isalpha() or c in "_@"):
            self._identifier()
        elif c == "`":
            self._emit(T.QUOTED_IDENTIFIER, self._quoted_id_end(pos))
        elif c == "?":
            self._params()
        else:
            self._operator()

    def _number(self) -> None:
        m = _NUMBER.match(self.text, self.pos)
        assert m is not None
        decimal = m.group(1) is not None or m.group(2) is not None or self.text[self.pos] == "."
        self._emit(T.DECIMAL_LITERAL if decimal else T.INTEGER_LITERAL, m.end())

    def _identifier(self) -> None:
        m = _IDENT.match(self.text, self.pos)
        if m is None:  # a lone '_' or '@'
            raise self._dead_after(self.pos)
        word = m.group()
        ttype = EXPRESSION_KEYWORDS.get(word.lower(), T.UNQUOTED_IDENTIFIER)
        if ttype in (T.FIRST, T.LAST) and self._call_follows(m.end()):
            # Newer Elasticsearch grammars accept FIRST and LAST as function names
            # (``functionName: identifierOrParameter | FIRST | LAST``) for the
            # FIRST/LAST aggregations; only a following ``(`` makes them names, so
            # ``NULLS FIRST`` is unaffected.
            ttype = T.UNQUOTED_IDENTIFIER
        self._emit(ttype, m.end())

    def _call_follows(self, pos: int) -> bool:
        """Whether the next character after spaces at ``pos`` is ``(``."""
        while pos < self.n and self.text[pos] in " \t\r\n":
            pos += 1
        return pos < self.n and self.text[pos] == "("

    def _operator(self) -> None:
        text, pos = self.text, self.pos
        pair = text[pos : pos + 2]
        ttype = OPERATORS.get(pair) if len(pair) == 2 else None
        end = pos + 2
        if ttype is None:
            ttype = OPERATORS.get(text[pos])
            end = pos + 1
        if ttype is None:
            raise self._dead_after(pos) if text[pos] == "!" else LexerError(pos)
        self._emit(ttype, end)
        if ttype == T.PIPE:
            self._pop()
        elif ttype in _PUSH_EXPRESSION_TWICE:
            self._push("expression")
            self._push("expression")
        elif ttype in _POP_TWICE:
            self._pop()
            self._pop()

    def _from(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        simple = {"|": T.PIPE, "[": T.OPENING_BRACKET, "]": T.CLOSING_BRACKET, ",": T.COMMA}
        if c in simple:
            self._emit(simple[c], pos + 1)
            if c == "|":
                self._pop()
        elif c == ":":
            double = text.startswith("::", pos)
            self._emit(T.CAST_OP if double else T.COLON, pos + (2 if double else 1))
        elif c == "=":
            self._emit(T.ASSIGN, pos + 1)
        elif c == ")":
            self._emit_and_pop(T.RP, pos + 1)
        else:
            self._source({"metadata": T.METADATA})

    def _source(self, keywords: dict[str, T]) -> T:
        """A quoted string or an unquoted source name, shared by FROM and JOIN: a
        name that is one of ``keywords`` (any case) is that keyword. Returns the
        type emitted."""
        text, pos = self.text, self.pos
        if text[pos] == '"':
            ttype, end = T.QUOTED_STRING, self._string_end(pos)
        else:
            end = self._source_end(pos)
            if end == pos:
                raise self._fail_here()
            ttype = keywords.get(text[pos:end].lower(), T.UNQUOTED_SOURCE)
        self._emit(ttype, end)
        return ttype

    def _pattern_mode(self, extra: dict[str, T], keywords: dict[str, T]) -> None:
        """Shared by KEEP/DROP and RENAME: punctuation, params and name patterns."""
        text, pos = self.text, self.pos
        c = text[pos]
        if c == "|":
            self._emit_and_pop(T.PIPE, pos + 1)
        elif c == ")":
            self._emit_and_pop(T.RP, pos + 1)
        elif c in extra:
            self._emit(extra[c], pos + 1)
        elif c == "?":
            self._params()
        else:
            end = self._id_pattern_end(pos)
            if end == pos:
                raise self._fail_here()
            word = text[pos:end]
            self._emit(keywords.get(word.lower(), T.ID_PATTERN), end)

    def _project(self) -> None:
        self._pattern_mode({".": T.DOT, ",": T.COMMA}, {})

    def _rename(self) -> None:
        self._pattern_mode({".": T.DOT, ",": T.COMMA, "=": T.ASSIGN}, {"as": T.AS})

    def _enrich(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c in "|)":
            self._emit_and_pop(T.PIPE if c == "|" else T.RP, pos + 1)
        elif c == "[":
            self._emit(T.OPENING_BRACKET, pos + 1)
            self._push("setting")
        elif c == '"':
            self._emit(T.QUOTED_STRING, self._string_end(pos))
        else:
            end = self._policy_end(pos)
            if end == pos:
                raise self._fail_here()
            word = text[pos:end].lower()
            if word in ("on", "with"):
                self._emit(T.ON if word == "on" else T.WITH, end)
                self._push("enrich_field")
            else:
                self._emit(T.ENRICH_POLICY_NAME, end)

    def _policy_end(self, pos: int) -> int:
        """End of ``[mode:]policy`` (``ENRICH_POLICY_NAME``); ``pos`` if none."""
        first = self._run(pos, _POLICY_STOP)
        if first > pos and first < self.n and self.text[first] == ":":
            second = self._run(first + 1, _POLICY_STOP)
            if second > first + 1:
                return second
        return first

    def _run(self, pos: int, stop: frozenset[str]) -> int:
        i = pos
        while i < self.n and self.text[i] not in stop:
            i += 1
        return i

    def _enrich_field(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c in "|)":
            self._emit_and_pop(T.PIPE if c == "|" else T.RP, pos + 1)
            self._pop()
        elif c in "=,.":
            self._emit({"=": T.ASSIGN, ",": T.COMMA, ".": T.DOT}[c], pos + 1)
        elif c == "?":
            self._params()
        else:
            end = self._id_pattern_end(pos)
            if end == pos:
                raise self._fail_here()
            word = text[pos:end].lower()
            self._emit(T.WITH if word == "with" else T.ID_PATTERN, end)

    def _setting(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c == "]":
            self._emit_and_pop(T.CLOSING_BRACKET, pos + 1)
        elif c == ":":
            self._emit(T.COLON, pos + 1)
        else:
            m = _SETTING.match(text, pos)
            if m is None:
                raise self._fail_here()
            self._emit(T.SETTING, m.end())

    def _names_mode(self, keywords: dict[str, T], punctuation: dict[str, T]) -> None:
        """Shared by MV_EXPAND and CHANGE_POINT: identifiers and a little punctuation."""
        text, pos = self.text, self.pos
        c = text[pos]
        if c in "|)":
            self._emit_and_pop(T.PIPE if c == "|" else T.RP, pos + 1)
        elif c == "?" and "?" in punctuation:
            self._params()
        elif c in punctuation:
            self._emit(punctuation[c], pos + 1)
        elif c == "`":
            self._emit(T.QUOTED_IDENTIFIER, self._quoted_id_end(pos))
        else:
            m = _IDENT.match(text, pos)
            if m is None:
                raise self._dead_after(pos) if c in "_@" else self._fail_here()
            self._emit(keywords.get(m.group().lower(), T.UNQUOTED_IDENTIFIER), m.end())

    def _mvexpand(self) -> None:
        self._names_mode({}, {".": T.DOT, "?": T.PARAM})

    def _change_point(self) -> None:
        self._names_mode({"on": T.ON, "as": T.AS}, {".": T.DOT, ",": T.COMMA})

    def _show(self) -> None:
        text, pos = self.text, self.pos
        if text[pos] == "|":
            self._emit_and_pop(T.PIPE, pos + 1)
        elif text[pos : pos + 4].lower() == "info":
            self._emit(T.INFO, pos + 4)
        else:
            raise self._fail_here()

    def _join(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c == "|":
            self._emit_and_pop(T.PIPE, pos + 1)
        elif c == ":":
            self._emit(T.COLON, pos + 1)
        elif self._source(_JOIN_KEYWORDS) is T.ON:
            self._pop()
            self._push("expression")

    def _set(self) -> None:
        """``SET name = value;`` (Elasticsearch's SET_MODE, after 9.1): constants,
        names, map punctuation; ``;`` ends the statement. There is no sign token,
        as in Elasticsearch."""
        text, pos = self.text, self.pos
        c = text[pos]
        if c == ";":
            self._emit_and_pop(T.SEMICOLON, pos + 1)
        elif c == '"':
            self._emit(T.QUOTED_STRING, self._string_end(pos))
        elif "0" <= c <= "9" or (c == "." and pos + 1 < self.n and "0" <= text[pos + 1] <= "9"):
            self._number()
        elif c.isascii() and (c.isalpha() or c in "_@"):
            m = _IDENT.match(text, pos)
            if m is None:
                raise self._dead_after(pos)
            keyword = _SET_KEYWORDS.get(m.group().lower(), T.UNQUOTED_IDENTIFIER)
            self._emit(keyword, m.end())
        elif c == "`":
            self._emit(T.QUOTED_IDENTIFIER, self._quoted_id_end(pos))
        elif c == "?":
            self._params()
        elif c in _SET_PUNCTUATION:
            self._emit(_SET_PUNCTUATION[c], pos + 1)
        else:
            raise self._fail_here()

    def _inline(self) -> None:
        """After ``INLINE`` only ``STATS`` may come (Elasticsearch's INLINE_MODE);
        it switches to expressions."""
        text, pos = self.text, self.pos
        matched = 0
        while matched < 5 and text[pos + matched : pos + matched + 1].lower() == "stats"[matched]:
            matched += 1
        if matched < 5:
            raise LexerError(min(pos + matched, self.n - 1))
        self._emit_and_pop(T.DEV_INLINE_STATS, pos + 5)
        self._push("expression")

    def _fork(self) -> None:
        text, pos = self.text, self.pos
        c = text[pos]
        if c == "(":
            self._emit(T.LP, pos + 1)
            self._push("default")
        elif c in "|)":
            self._emit_and_pop(T.PIPE if c == "|" else T.RP, pos + 1)
        else:
            raise self._fail_here()
