"""The HTTPS client to the peers: a message POSTed to a peer's inbox, a peer's JWKS fetched, each with a timeout,
and the peers' certificates checked against the CA bundle configured for them (or the system's).

Peers are the configured directory's, not addresses anyone may choose, so unlike the notifier's webhooks no
address is checked before connecting; still no redirect is followed and nothing is read from the environment
(proxies, .netrc).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

MEDIA_TYPE = "application/jwt"  # RFC 7519 §10.3.1: the body is the compact JWS
USER_AGENT = "Docket-Cooperation/1"
# The most of an answer's body read: a refusal's JSON, or a JWKS.
ANSWER_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Answer:
    """What one POST came to: the status and the refusal's reason if the peer answered, else the error."""

    status_code: int | None
    reason: str | None
    error: str | None
    latency_ms: int


class Sender(Protocol):
    async def post(self, url: str, token: str) -> Answer:
        """POST once; a timeout or a broken connection is an Answer with no status code, never an exception."""


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """What a peer's certificate is checked against: the CA bundle `ca_file` (PEM), or the system's."""
    return ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()


class HttpsPeers:
    """The client to the peers. Owns an httpx client: close it with `close()`."""

    def __init__(self, ca_file: str | None, timeout_s: float) -> None:
        self._http = httpx.AsyncClient(
            verify=tls_context(ca_file),
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    async def post(self, url: str, token: str) -> Answer:
        started = time.perf_counter()
        try:
            response = await self._http.post(url, content=token.encode(), headers={"content-type": MEDIA_TYPE})
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return Answer(None, None, error, _ms_since(started))
        return Answer(response.status_code, _reason(response), None, _ms_since(started))

    async def get_json(self, url: str) -> Mapping[str, Any]:
        """The JSON object at `url`; httpx.HTTPError or ValueError if there is none."""
        response = await self._http.get(url)
        response.raise_for_status()
        if len(response.content) > ANSWER_LIMIT:
            raise ValueError(f"{url} answered more than {ANSWER_LIMIT} bytes")
        document = response.json()
        if not isinstance(document, Mapping):
            raise ValueError(f"{url} did not answer a JSON object")
        return document

    async def close(self) -> None:
        await self._http.aclose()


def _reason(response: httpx.Response) -> str | None:
    """The `reason` of a refusal's JSON body, if it has one."""
    if response.is_success or len(response.content) > ANSWER_LIMIT:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    reason = body.get("reason") if isinstance(body, dict) else None
    return reason if isinstance(reason, str) else None


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
