"""IP functions of ES|QL 9.1 (CIDR_MATCH, IP_PREFIX): signatures, return types and doc
lines. Implementations live in ``esqlsh.engine.functions.ip``."""

from __future__ import annotations

from esqlsh.analysis.registry import Param, declare
from esqlsh.analysis.types import STRING, DataType

D = DataType
IP = frozenset({D.IP})
INT = frozenset({D.INTEGER})

declare(
    "cidr_match",
    "scalar",
    [
        Param("ip", IP, "ip", doc="IP address of type `ip` (both IPv4 and IPv6 are supported)."),
        Param(
            "blockX",
            STRING,
            "string",
            variadic=True,
            doc="CIDR block to test the IP against.",
        ),
    ],
    D.BOOLEAN,
    "Returns true if the provided IP is contained in one of the provided CIDR blocks.",
)
declare(
    "ip_prefix",
    "scalar",
    [
        Param("ip", IP, "ip", doc="IP address of type `ip` (both IPv4 and IPv6 are supported)."),
        Param("prefixLengthV4", INT, "integer", doc="Prefix length for IPv4 addresses."),
        Param("prefixLengthV6", INT, "integer", doc="Prefix length for IPv6 addresses."),
    ],
    D.IP,
    "Truncates an IP to a given prefix length.",
)
