"""The webhook rules, pure: Standard Webhooks signatures, the CloudEvents body, which subscriptions an
event matches, what an answer means, and which URLs may be called.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit
from uuid import UUID

from docket_contracts import registry, topics

SECRET_PREFIX = "whsec_"

# Every event a subscriber may ask for: those of the topics the notifier consumes.
SUBSCRIBABLE: tuple[str, ...] = tuple(
    spec.type for spec in registry.EVENTS if spec.topic in (topics.COMPLAINTS, topics.CASES)
)

Verdict = Literal["delivered", "retry", "gone"]


# --- signing ----------------------------------------------------------------------------------------------


def new_secret() -> str:
    """A signing secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(
    secrets_in_use: Sequence[str], webhook_id: str, timestamp: int, body: bytes, content_type: str
) -> dict[str, str]:
    """The request headers of one attempt; while a rotated secret is still honoured both sign."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, webhook_id, timestamp, body) for s in secrets_in_use),
        "content-type": content_type,
    }


# --- the body ---------------------------------------------------------------------------------------------

CONTENT_TYPE = "application/cloudevents+json"


def body_bytes(document: dict[str, object]) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


# --- which subscriptions an event matches -----------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    event_types: tuple[str, ...]
    controller_key: str | None = None
    case_id: UUID | None = None


def matches(subscription: Filter, event_type: str, controller_key: str | None, case_id: UUID | None) -> bool:
    """An event matches when its type is asked for and it concerns the filtered controller and case, if any."""
    return (
        event_type in subscription.event_types
        and (subscription.controller_key is None or subscription.controller_key == controller_key)
        and (subscription.case_id is None or subscription.case_id == case_id)
    )


def unknown_event_types(event_types: Iterable[str]) -> list[str]:
    return [t for t in event_types if t not in SUBSCRIBABLE]


SCOPE_PREFIX = "docket.events."


def scope_for(event_type: str) -> str:
    """The OAuth scope that lets an integrator receive `event_type`: one per topic, e.g. docket.events.cases."""
    return SCOPE_PREFIX + registry.BY_TYPE[event_type].topic.removeprefix("docket.")


def out_of_scope(event_types: Iterable[str], scopes: Iterable[str]) -> dict[str, str]:
    """The event types the scopes do not cover, each with the scope it needs."""
    granted = set(scopes)
    return {t: scope_for(t) for t in event_types if scope_for(t) not in granted}


def event_scopes(scopes: Iterable[str]) -> list[str]:
    """Of a token's scopes, those that let an integrator receive events (what a subscription keeps)."""
    return sorted({s for s in scopes if s.startswith(SCOPE_PREFIX)})


# --- what an answer means (the retries are scheduled by docket_messaging.backoff.RetrySchedule) ----------


def verdict(status_code: int | None) -> Verdict:
    """What an answer means: 2xx delivered; 410 Gone disables the subscription; anything else (5xx, 4xx,
    a timeout or a closed connection, i.e. no status) is tried again."""
    if status_code is not None and 200 <= status_code < 300:
        return "delivered"
    if status_code == 410:
        return "gone"
    return "retry"


# --- outbound safety --------------------------------------------------------------------------------------


class RefusedUrl(ValueError):
    """A webhook URL Docket will not call; the text says why."""


def parse_allow_list(entries: Iterable[str]) -> tuple[list[ipaddress.IPv4Network | ipaddress.IPv6Network], set[str]]:
    """Split allow-list entries into networks (CIDR or single address) and host names."""
    networks, hosts = [], set()
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return networks, hosts


def host_of(url: str) -> str:
    """The URL's host, or RefusedUrl if the URL is not an absolute http(s) URL without credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedUrl("must be an absolute http or https URL")
    if parts.username or parts.password:
        raise RefusedUrl("must not carry credentials")
    try:
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError as exc:
        raise RefusedUrl(f"has an invalid port: {exc}") from None
    return parts.hostname.lower().rstrip(".")


# Spelled out rather than left to `is_global`, whose tables differ between Python patch releases (3.11.7 calls
# fec0::1, 192.0.0.9 and 64:ff9b:1::1 global): none of these is where an integrator's webhook lives.
_NOT_PUBLIC_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_NOT_PUBLIC_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/128",
        "::1/128",
        "100::/64",
        "2001:db8::/32",
        "64:ff9b:1::/48",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated; :: and ::1 fall in it too
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT (RFC 2765)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix (RFC 6052)


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries and that a packet to it may end up at: mapped, compatible,
    translated, NAT64, 6to4 (the relay's target) and Teredo (server and client). Empty for a plain IPv6
    address."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.teredo is not None:
        return address.teredo
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if any(address in n for n in (_IPV4_COMPATIBLE, _IPV4_TRANSLATED, _NAT64)):
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether Docket may call the address without an allow-list entry: globally routable unicast only.

    An IPv6 address that embeds an IPv4 one is judged by the IPv4 inside (all of them, for Teredo), since a
    translator, tunnel or dual stack delivers it there: 64:ff9b::a9fe:a9fe is the cloud metadata service.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_global and not any(address in n for n in _NOT_PUBLIC_V4)
    if any(address in n for n in _NOT_PUBLIC_V6):
        return False
    embedded = embedded_ipv4(address)
    if embedded:
        return all(is_public(inner) for inner in embedded)
    return address.is_global and not address.is_multicast and not address.is_site_local


# What a refused address is, for the message: the kind only, never the address (see check_url).
_KINDS_V4 = tuple(
    (ipaddress.IPv4Network(n), kind)
    for n, kind in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared (carrier-grade NAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.2.0/24", "documentation"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
    )
)
_KINDS_V6 = tuple(
    (ipaddress.IPv6Network(n), kind)
    for n, kind in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("2001:db8::/32", "documentation"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private"),
        ("ff00::/8", "multicast"),
    )
)


def kind_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The kind of a non-public address (private, loopback, link-local, ...); an IPv6 address embedding a
    non-public IPv4 one is of that one's kind."""
    if isinstance(address, ipaddress.IPv4Address):
        return next((kind for network, kind in _KINDS_V4 if address in network), "reserved")
    found = next((kind for network, kind in _KINDS_V6 if address in network), None)
    if found is not None:
        return found
    inner = next((a for a in embedded_ipv4(address) if not is_public(a)), None)
    return f"{kind_of(inner)} (in IPv6)" if inner is not None else "reserved"


def check_url(url: str, addresses: Sequence[str], allow_list: Iterable[str]) -> None:
    """Raise RefusedUrl unless `url` may be called, given the addresses its host resolved to.

    Private, loopback, link-local and other non-global addresses are refused unless the host name or
    every such address is allow-listed; plain http is accepted only for allow-listed hosts.

    The message names the kind of address refused, not the address: integrators read it (the 422, a
    delivery's last error), and the addresses would tell them how Docket's network resolves internal names.
    """
    host = host_of(url)
    networks, hosts = parse_allow_list(allow_list)
    if not addresses:
        raise RefusedUrl(f"host {host} does not resolve")
    if host in hosts:
        return
    parsed = [ipaddress.ip_address(a) for a in addresses]
    allowed = [a for a in parsed if any(a in n for n in networks)]
    refused = [a for a in parsed if not is_public(a) and a not in allowed]
    if refused:
        kinds = ", ".join(sorted({kind_of(a) for a in refused}))
        raise RefusedUrl(f"host {host} resolves to an address that is not public ({kinds}) and not on the allow-list")
    if urlsplit(url).scheme != "https" and len(allowed) != len(parsed):
        raise RefusedUrl("must use https (plain http only for allow-listed hosts)")
