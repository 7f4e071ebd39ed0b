"""Where Docket is, and the one way the command line calls it: HTTP to a service, a refusal explained."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import identity
from .problems import Problem, explain

# Where `make run` brings each part up.
DEFAULT_URLS = {"intake": "http://127.0.0.1:8001", "case": "http://127.0.0.1:8002", "notifier": "http://127.0.0.1:8003"}
DEFAULT_KAFKA = "localhost:9092"
KAFKA_CLIENT_ID = "docket-operator"  # `events tail` reads Kafka as the operator tools do (docket_operator.acls)
DEFAULT_ISSUER = "http://127.0.0.1:8080/realms/docket"
CLIENT_ID = "docket-cli"  # the public client of Docket's realm (deploy/keycloak/realm/docket-realm.json)
TIMEOUT_S = 30.0


class Refused(Problem):
    """An error answer of a service: its explanation, with the status and body for who can say more."""

    def __init__(self, message: str, status: int, body: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Endpoints:
    intake: str = DEFAULT_URLS["intake"]
    case: str = DEFAULT_URLS["case"]
    notifier: str = DEFAULT_URLS["notifier"]
    kafka: str = DEFAULT_KAFKA
    issuer: str = DEFAULT_ISSUER
    client_id: str = CLIENT_ID

    def url(self, service: str) -> str:
        base: str = getattr(self, service)
        return base.rstrip("/")


@dataclass
class Docket:
    """The three services over HTTP, with the caller's token on every staff request."""

    endpoints: Endpoints
    token: str | None = None  # --token / DOCKET_TOKEN; else the one `docket login` kept
    transport: httpx.BaseTransport | None = None
    now: Callable[[], float] = time.time
    _http: httpx.Client | None = field(default=None, init=False)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=TIMEOUT_S, transport=self.transport)
        return self._http

    def bearer(self) -> str:
        if self.token:
            return self.token
        return identity.fresh(self.http, identity.config_dir() / identity.TOKEN_FILE, self.now()).access_token

    def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        staff: bool = True,
    ) -> httpx.Response:
        """One request; an error answer raises Refused with what it means, never the body."""
        sent = dict(headers or {})
        if staff:
            sent["Authorization"] = f"Bearer {self.bearer()}"
        query = {name: value for name, value in (params or {}).items() if value is not None}
        url = self.endpoints.url(service) + path
        try:
            response = self.http.request(method, url, json=json, params=query, headers=sent)
        except httpx.TransportError as exc:
            raise Problem(
                f"cannot reach the {service} service at {self.endpoints.url(service)} "
                f"({type(exc).__name__}): is Docket up (make run)? Its address: "
                f"--{service}-url or DOCKET_{service.upper()}_URL"
            ) from None
        if response.is_error:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise Refused(explain(response.status_code, body, response.headers, service), response.status_code, body)
        return response

    def get(self, service: str, path: str, **params: Any) -> Any:
        return self.call(service, "GET", path, params=params).json()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
