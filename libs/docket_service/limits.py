"""What a request may carry, the same in every service: a body size limit, the bounds of the values a route
takes in (dates, instants, text, paging), and whom it comes from (the client's address, read through the
reverse proxies the service trusts).

Every bound here exists so that an input is refused at the door, 413 or 422 naming the field and the rule,
rather than failing deeper down with a 500: a body read whole into memory, a date one day short of the
calendar's end that a deadline timer adds a day to, a NUL that PostgreSQL will not store, an offset past
a 64-bit integer.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Query, status
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docket_contracts.events import Email

# --- the request body -------------------------------------------------------------------------------------

DEFAULT_MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """Raised inside a request once more body arrived than its limit allows."""


class BodySizeLimit:
    """Answers 413 as soon as a request body is larger than the limit for its path (declared or streamed).

    A Content-Length above the limit is refused before the body is read; a body that streams past it
    (chunked, or a Content-Length that lied) is refused at the chunk that crosses it, so no route ever holds
    more than the limit in memory. A route that catches the error (FastAPI turns any failure to read a JSON
    body into 400) still answers 413: what it sends instead is dropped.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received, exceeded, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app caught BodyTooLarge and answers anyway (FastAPI: 400 "error parsing the body")
                if not started:
                    started = True
                    await self._refuse(send, limit)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = f'{{"detail":"request body larger than {limit} bytes"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": status.HTTP_413_CONTENT_TOO_LARGE,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def limit_bodies(app: FastAPI, limit_for: Callable[[str], int] | int) -> None:
    """Install the body limit on a service: one number for every path, or a limit per path."""
    app.add_middleware(BodySizeLimit, limit_for=limit_for if callable(limit_for) else lambda _path: limit_for)


# --- the client's address --------------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPV6_CLIENT_PREFIX = 64  # what one IPv6 client is given at least: a /64 (RFC 6177)


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDRs (`10.0.0.0/8`, `::1`) as networks; ValueError names the first that is neither."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy writes it in X-Forwarded-For: bare, or with a port (`1.2.3.4:80`, `[::1]:80`)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The address a request came from. The peer, unless it is one of the `trusted` proxies: then the entries
    of the X-Forwarded-For headers (`forwarded_for`, as sent) are read from the right (each proxy appends the
    address it took the request from), past every trusted proxy, and the first address that is not one is the
    client's. What a client writes in the header itself is further left, and is never reached while the chain
    is of trusted proxies: nobody can choose the address they are counted under. An entry that is no address
    stops the walk where it is."""
    entries = [entry for header in forwarded_for for entry in header.split(",") if entry.strip()]
    hops = [peer, *reversed(entries)]
    for index, hop in enumerate(hops):
        address = _address(hop)
        if address is None:
            return hop.strip()[:100] if index else peer
        if not any(address in network for network in trusted) or index == len(hops) - 1:
            return str(address)
    return peer


def client_key(address: str) -> str:
    """Whom a rate limit counts: an IPv4 address, or the /64 of an IPv6 one (whoever holds one address of it
    holds them all, and would otherwise have 2^64 buckets)."""
    found = _address(address)
    if found is None:
        return address[:100]
    if isinstance(found, ipaddress.IPv6Address):
        if found.ipv4_mapped is not None:
            return str(found.ipv4_mapped)
        return str(ipaddress.IPv6Network((found, IPV6_CLIENT_PREFIX), strict=False))
    return str(found)


class ClientAddress:
    """Puts the client's address (client_address) where the app, its access lines and its limits read it: the
    request's `client`. Without trusted proxies the peer is the client and nothing is read."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and scope.get("client"):
            peer, port = scope["client"]
            forwarded = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"]
            if forwarded:
                scope["client"] = (client_address(peer, forwarded, self.trusted), port)
        await self.app(scope, receive, send)


# --- dates and instants -----------------------------------------------------------------------------------

# Every calendar date a route takes in lies in this range, so the arithmetic done on it (a deadline's
# next day, three months to an Art 78(2) reminder, days of delay) can never leave Python's calendar.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
DAY_RANGE = f"from {EARLIEST_DAY} to {LATEST_DAY}"

# An instant only compared (a replay's as_of) may reach further, but not to the calendar's edges, where
# turning it into UTC overflows.
EARLIEST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(9999, 1, 1, tzinfo=UTC)
INSTANT_RANGE = f"from {EARLIEST_INSTANT:%Y-%m-%d} to {LATEST_INSTANT:%Y-%m-%d} (UTC)"


def day(description: str = "") -> Any:
    """A calendar date in DAY_RANGE; the range is stated in the field's description."""
    stated = f"{description}; {DAY_RANGE}" if description else f"a date {DAY_RANGE}"
    return Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY, description=stated)]


Day = day()


def _in_instant_range(moment: datetime) -> datetime:
    if not EARLIEST_INSTANT <= moment <= LATEST_INSTANT:
        raise ValueError(f"must be {INSTANT_RANGE}")
    return moment


# An instant with its time zone (a naive one would be read in whatever zone the server runs in).
Instant = Annotated[AwareDatetime, AfterValidator(_in_instant_range)]


# --- text -------------------------------------------------------------------------------------------------

# No C0 control character but tab, line feed and carriage return, and no DEL. PostgreSQL stores no NUL in text,
# and without them every character of a text field is at most 4 bytes of UTF-8 in an event (a control
# character would be 6, escaped as \u00XX), which is what the event size budgets count on.
PRINTABLE_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
NO_CONTROLS = "no control characters but tab and line breaks"
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]")


def printable(value: str) -> str:
    """Refuse control characters (see PRINTABLE_PATTERN), naming the rule in words."""
    if _CONTROL.search(value):
        raise ValueError(f"must contain {NO_CONTROLS}")
    return value


EmailAddress = Annotated[Email, AfterValidator(printable)]


def text(max_chars: int, description: str = "", *, min_chars: int = 1, strip: bool = True) -> Any:
    """A text field of at most `max_chars` characters without control characters, its bounds stated in its
    description (and its pattern in the schema, so that clients and generated tests see the rule)."""
    bounds = f"{min_chars} to {max_chars:,} characters, {NO_CONTROLS}"
    return Annotated[
        str,
        StringConstraints(strip_whitespace=strip, min_length=min_chars, max_length=max_chars),
        AfterValidator(printable),
        Field(
            description=f"{description}; {bounds}" if description else bounds,
            json_schema_extra={"pattern": PRINTABLE_PATTERN},
        ),
    ]


def query_text(max_chars: int, description: str, alias: str | None = None) -> Any:
    """An optional query parameter's text (default it to None): the same rule as `text`."""
    bounded = Annotated[str, StringConstraints(min_length=1, max_length=max_chars), AfterValidator(printable)]
    return Annotated[
        bounded | None, Query(alias=alias, description=f"{description}; 1 to {max_chars:,} characters, {NO_CONTROLS}")
    ]


# --- paging and versions ----------------------------------------------------------------------------------

MAX_OFFSET = 10_000_000  # far past any real list, and far inside PostgreSQL's bigint
MAX_VERSION = 1_000_000_000  # a case version, compared with the store's integer column
