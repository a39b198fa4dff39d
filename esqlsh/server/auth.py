"""Who may talk to the node: API keys (``Authorization: ApiKey …``) and basic
credentials whose password is a key, compared in constant time.

A configured key ``K`` is accepted as the client sends it, however the client
holds it: ``ApiKey K`` (the encoded key as Elasticsearch hands it out, or any
opaque secret), ``ApiKey base64(id:K)`` (the client's ``(id, secret)`` form), or
``ApiKey base64(K)`` when ``K`` itself is ``id:secret``; ``Basic`` credentials
whose password (or whole ``user:password``) is ``K``. Failures are Elasticsearch's
``security_exception`` 401 with its ``WWW-Authenticate`` challenges. Nothing here
ever puts a credential into a message or a log line.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Sequence

from esqlsh.server import errors

CHALLENGES = ('Basic realm="security", charset="UTF-8"', "ApiKey")
_ANONYMOUS_REFUSED = (
    "unable to authenticate with provided credentials and anonymous access is not "
    "allowed for this request"
)


class Authenticator:
    """Checks the ``Authorization`` header against the configured keys."""

    def __init__(self, keys: Sequence[str]):
        self._keys = tuple(k.encode("utf-8") for k in keys)

    def __repr__(self) -> str:
        return f"Authenticator({len(self._keys)} keys)"

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def check(self, authorization: str | None, uri: str) -> None:
        """Returns when the request may proceed; raises the 401 ``HttpError``."""
        if not self._keys:
            return
        scheme, _, credential = (authorization or "").strip().partition(" ")
        scheme, credential = scheme.lower(), credential.strip()
        if scheme == "apikey" and credential:
            if not self._matches(_api_key_candidates(credential)):
                raise _refused(_ANONYMOUS_REFUSED)
            return
        if scheme == "basic" and credential:
            user, candidates = _basic_candidates(credential)
            if not self._matches(candidates):
                raise _refused(f"unable to authenticate user [{user}] for REST request [{uri}]")
            return
        raise _refused(f"missing authentication credentials for REST request [{uri}]")

    def _matches(self, candidates: list[bytes]) -> bool:
        # Every pair is compared (no early exit) so timing says nothing about keys.
        found = False
        for key in self._keys:
            for candidate in candidates:
                found |= hmac.compare_digest(key, candidate)
        return found


def _api_key_candidates(credential: str) -> list[bytes]:
    raw = credential.encode("utf-8", "surrogateescape")
    candidates = [raw]
    decoded = _b64decode(credential)
    if decoded is not None:
        candidates.append(decoded)
        _, sep, secret = decoded.partition(b":")
        if sep:
            candidates.append(secret)
    return candidates


def _basic_candidates(credential: str) -> tuple[str, list[bytes]]:
    decoded = _b64decode(credential) or b""
    user, _, password = decoded.partition(b":")
    return user.decode("utf-8", "replace"), [password, decoded]


def _b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def _refused(reason: str) -> errors.HttpError:
    return errors.exception(
        "security_exception",
        reason,
        401,
        headers=[("WWW-Authenticate", c) for c in CHALLENGES],
        extra={"header": {"WWW-Authenticate": list(CHALLENGES)}},
    )
