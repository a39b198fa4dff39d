"""String functions of ES|QL 9.1 (BIT_LENGTH … TRIM, plus FROM_BASE64/TO_BASE64 and the
hash functions): signatures, return types and doc lines.

``SPLIT`` takes single values and returns multi-values. ``TO_LOWER``/``TO_UPPER`` take multi-values whole (ES 9.1 maps
them over every value). Implementations live in ``esqlsh.engine.functions.string``.
"""

from __future__ import annotations

from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import STRING, DataType

D = DataType
INT = frozenset({D.INTEGER})
STR_DOC = "String expression. If `null`, the function returns `null`."


def _str(name: str, doc: str = STR_DOC) -> Param:
    return Param(name, STRING, "string", doc=doc)


def _int(name: str, doc: str) -> Param:
    return Param(name, INT, "integer", doc=doc)


declare(
    "bit_length",
    "scalar",
    [_str("string")],
    D.INTEGER,
    "Returns the bit length of a string.",
)
declare(
    "byte_length",
    "scalar",
    [_str("string")],
    D.INTEGER,
    "Returns the byte length of a string.",
)
declare(
    "concat",
    "scalar",
    [
        _str("string1", "Strings to concatenate."),
        Param("string2", STRING, "string", variadic=True, doc="Strings to concatenate."),
    ],
    D.KEYWORD,
    "Concatenates two or more strings.",
)
declare(
    "ends_with",
    "scalar",
    [_str("str"), _str("suffix")],
    D.BOOLEAN,
    "Returns a boolean that indicates whether a keyword string ends with another string.",
)
declare(
    "from_base64",
    "scalar",
    [_str("string", "A base64 string.")],
    D.KEYWORD,
    "Decode a base64 string.",
)
declare(
    "hash",
    "scalar",
    [
        _str(
            "algorithm",
            "Hash algorithm to use. If `null`, the function returns `null`.",
        ),
        _str("input", "Input to hash. If `null`, the function returns `null`."),
    ],
    D.KEYWORD,
    "Computes the hash of the input using various algorithms such as MD5, SHA, SHA-224, "
    "SHA-256, SHA-384, SHA-512.",
)
declare(
    "left",
    "scalar",
    [
        _str("string", "The string from which to return a substring."),
        _int("length", "The number of characters to return."),
    ],
    D.KEYWORD,
    "Returns the substring that extracts *length* chars from *string* starting from the left.",
)
declare(
    "length",
    "scalar",
    [_str("string")],
    D.INTEGER,
    "Returns the character length of a string.",
)
declare(
    "locate",
    "scalar",
    [
        _str("string", "An input string"),
        _str("substring", "A substring to locate in the input string"),
        Param("start", INT, "integer", optional=True, doc="The start index"),
    ],
    D.INTEGER,
    "Returns an integer that indicates the position of a keyword substring within another "
    "string. Returns `0` if the substring cannot be found. Note that string positions start "
    "from `1`.",
)
declare(
    "ltrim",
    "scalar",
    [_str("string")],
    D.KEYWORD,
    "Removes leading whitespaces from a string.",
)
declare(
    "md5",
    "scalar",
    [_str("input", "Input to hash.")],
    D.KEYWORD,
    "Computes the MD5 hash of the input.",
)
declare(
    "repeat",
    "scalar",
    [
        _str("string", "String expression."),
        _int("number", "Number times to repeat."),
    ],
    D.KEYWORD,
    "Returns a string constructed by concatenating `string` with itself the specified "
    "`number` of times.",
)
declare(
    "replace",
    "scalar",
    [
        _str("string", "String expression."),
        _str("regex", "Regular expression."),
        _str("newString", "Replacement string."),
    ],
    D.KEYWORD,
    "The function substitutes in the string `str` any match of the regular expression "
    "`regex` with the replacement string `newStr`.",
)
declare(
    "reverse",
    "scalar",
    [_str("str", "String expression. If `null`, the function returns `null`.")],
    D.KEYWORD,
    "Returns a new string representing the input string in reverse order.",
)
declare(
    "right",
    "scalar",
    [
        _str("string", "The string from which to returns a substring."),
        _int("length", "The number of characters to return."),
    ],
    D.KEYWORD,
    "Return the substring that extracts *length* chars from *str* starting from the right.",
)
declare(
    "rtrim",
    "scalar",
    [_str("string")],
    D.KEYWORD,
    "Removes trailing whitespaces from a string.",
)
declare(
    "sha1",
    "scalar",
    [_str("input", "Input to hash.")],
    D.KEYWORD,
    "Computes the SHA1 hash of the input.",
)
declare(
    "sha256",
    "scalar",
    [_str("input", "Input to hash.")],
    D.KEYWORD,
    "Computes the SHA256 hash of the input.",
)
declare(
    "space",
    "scalar",
    [_int("number", "Number of spaces in result.")],
    D.KEYWORD,
    "Returns a string made of `number` spaces.",
)
declare(
    "split",
    "scalar",
    [
        _str("string"),
        _str("delim", "Delimiter. Only single byte delimiters are currently supported."),
    ],
    D.KEYWORD,
    "Split a single valued string into multiple strings.",
)
declare(
    "starts_with",
    "scalar",
    [_str("str"), _str("prefix")],
    D.BOOLEAN,
    "Returns a boolean that indicates whether a keyword string starts with another string.",
)
declare(
    "substring",
    "scalar",
    [
        _str("string"),
        _int("start", "Start position."),
        Param(
            "length",
            INT,
            "integer",
            optional=True,
            doc="Length of the substring from the start position. Optional; if omitted, all "
            "positions after `start` are returned.",
        ),
    ],
    D.KEYWORD,
    "Returns a substring of a string, specified by a start position and an optional length.",
)
declare(
    "to_base64",
    "scalar",
    [_str("string", "A string.")],
    D.KEYWORD,
    "Encode a string to a base64 string.",
)
_CASE_DOC = (
    "String expression. If `null`, the function returns `null`. The input can be a single- "
    "or multi-valued column or an expression."
)
declare(
    "to_lower",
    "scalar",
    [_str("str", _CASE_DOC)],
    D.KEYWORD,
    "Returns a new string representing the input string converted to lower case.",
    multivalue=True,
)
declare(
    "to_upper",
    "scalar",
    [_str("str", _CASE_DOC)],
    D.KEYWORD,
    "Returns a new string representing the input string converted to upper case.",
    multivalue=True,
)
declare(
    "trim",
    "scalar",
    [_str("string")],
    D.KEYWORD,
    "Removes leading and trailing whitespaces from a string.",
)

# -- After 9.1: CONTAINS (Elasticsearch 9.2).
declare(
    "contains",
    "scalar",
    [
        _str(
            "string",
            "String expression: input string to check against. If `null`, the function "
            "returns `null`.",
        ),
        _str(
            "substring",
            "String expression: A substring to find in the input string. If `null`, the "
            "function returns `null`.",
        ),
    ],
    D.BOOLEAN,
    "Returns a boolean that indicates whether a keyword substring is within another string. "
    "Returns `null` if either parameter is null.",
    examples=('ROW a = "hello" | EVAL has_ll = CONTAINS(a, "ll")',),
)
