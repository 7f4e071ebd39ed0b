"""The case service's side of the cooperation exchange with other authorities (docket_exchange): the inbox that
verifies, records and hands on what they send (inbox.py, to the handler table of handlers.py), the outbox a
case event waits in for them and the worker that delivers it (outbox.py), and their tables (tables.py).

The two points the cooperation procedures meet: `handlers.EXCHANGE_HANDLERS` (a CloudEvent type to what is done
when a message of that type is received: a step reported is applied, waits for staff, or is refused, reported.py),
and `application.send_to(cases, directory, authority, event)` (a case event sent to an authority, queued in the
transaction that appends it; cooperation.send_steps calls it for each step taken here, to whom the law addresses it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from docket_exchange.directory import Directory
from docket_exchange.keys import OwnKey, PeerKeys, jwks, retired_keys
from docket_exchange.messages import Exchange
from docket_exchange.transport import HttpsPeers

from ..config import Authority as Known
from ..config import CaseSettings, CooperationMisconfigured

# The EU writes Greece EL where ISO 3166-1 (and AUTHORITIES) write GR.
ISO_STATE = {"EL": "GR"}


@dataclass(frozen=True)
class Cooperation:
    """What the case service exchanges messages with: the exchange (its key, the directory, the peers' keys) and
    the HTTPS client to the peers (closed with the service)."""

    exchange: Exchange
    peers: HttpsPeers
    retired: list[Ed25519PublicKey] = field(default_factory=list)

    @property
    def directory(self) -> Directory:
        return self.exchange.directory

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys of this authority's messages: the signing key's, then the retired ones'."""
        return jwks(self.exchange.key, self.retired)


def cooperation_of(settings: CaseSettings) -> Cooperation | None:
    """The exchange the settings describe, or None when COOPERATION_DIRECTORY is unset. The directory file is read
    now, and each of its authorities checked against AUTHORITIES: a service given a broken one does not start."""
    if not settings.cooperation_configured():
        return None
    assert settings.cooperation_directory and settings.cooperation_signing_key
    directory = Directory.load(settings.cooperation_directory)
    addresses_of_known(directory, settings.authorities)
    peers = HttpsPeers(settings.cooperation_ca_file or None, settings.cooperation_timeout_s)
    exchange = Exchange(
        settings.authority_id,
        OwnKey(settings.cooperation_signing_key.get_secret_value()),
        directory,
        PeerKeys(peers.get_json, refresh_interval_s=settings.cooperation_keys_refresh_s),
        lifetime_s=settings.cooperation_token_lifetime_s,
        leeway_s=settings.cooperation_leeway_s,
    )
    return Cooperation(exchange, peers, retired_keys(settings.cooperation_retired_keys))


def addresses_of_known(directory: Directory, authorities: tuple[Known, ...]) -> None:
    """Refuse a cooperation directory that is not the addresses of authorities of AUTHORITIES: each of its entries
    is one of them, in the same Member State (CooperationMisconfigured, naming the entry)."""
    known = {a.id: a for a in authorities}
    for entry in directory:
        authority = known.get(entry.id)
        if authority is None:
            raise CooperationMisconfigured(
                f"COOPERATION_DIRECTORY names {entry.id}, which is not in AUTHORITIES: add it there, or correct its id"
            )
        state = ISO_STATE.get(entry.member_state, entry.member_state)
        if state != authority.member_state:
            raise CooperationMisconfigured(
                f"COOPERATION_DIRECTORY puts {entry.id} in {entry.member_state}; AUTHORITIES, in "
                f"{authority.member_state}"
            )
