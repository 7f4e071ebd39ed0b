"""`make run ARGS=--network`: the Italian Garante's Docket (IT-GPDP) and the Irish Data Protection Commission's
(IE-DPC) beside the CNIL's, on one machine, the three case services exchanging cooperation messages over HTTPS
(docket_exchange).

Each other authority's installation is a Docket of its own (here the Garante's; the DPC's likewise):
- its own PostgreSQL server, a second embedded one: deploy/postgres/roles.sql and the case migrations name their
  roles (docket_case, docket_case_heads, ...), and a server's roles are shared by all its databases, so a second
  database on the CNIL's server would let the CNIL's roles in; a server of its own gives it roles of its own.
- its own realm, `garante`, in the CNIL's Keycloak: Docket's realm (deploy/keycloak/realm) under another name,
  its clients' secrets its own, with the Garante's demo staff (deploy/keycloak/network).
- its own Kafka broker: a broker checks the tokens of one issuer, and every installation has the same topics and
  principals (docket.cases, User:docket-case), so one broker could not keep the two apart without topic prefixes
  the services do not have.
- its own intake, case and notifier, on DOCKET_GARANTE_HTTP_PORTS (8011,8012,8013 by default; the DPC's on
  DOCKET_DPC_HTTP_PORTS, 8021,8022,8023).
Each case service serves HTTPS with a certificate of a certificate authority made for the run (tls.py), signs its
messages with a key of its own kept beside its data, and reads a directory naming the other authorities. Here are
the parts and the settings; up.py starts them.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docket_contracts.checkpoints import new_signing_key

from .kept import kept
from .keycloak import KEYCLOAK_DIR, REALM_DIR
from .tls import ThrowawayAuthority

CNIL = "FR-CNIL"
GARANTE = "IT-GPDP"
DPC = "IE-DPC"
NAMES = {
    CNIL: "Commission nationale de l'informatique et des libertés",
    GARANTE: "Garante per la protezione dei dati personali",
    DPC: "Data Protection Commission",
}
GARANTE_REALM = "garante"
DPC_REALM = "dpc"
STAFF_DIR = KEYCLOAK_DIR / "network"  # each other authority's demo staff, password docket-demo


@dataclass(frozen=True)
class Peer:
    """How one other authority's installation is laid out: its realm (also the name of its data directory and the
    prefix of its client secrets' variables), the variable naming its ports, and their default."""

    authority: str
    realm: str
    ports_variable: str
    default_ports: str


PEERS = (
    Peer(GARANTE, GARANTE_REALM, "DOCKET_GARANTE_HTTP_PORTS", "8011,8012,8013"),
    Peer(DPC, DPC_REALM, "DOCKET_DPC_HTTP_PORTS", "8021,8022,8023"),
)
# The Garante's board (the Collegio, four members) adopted its ordinanza of 10 February 2022 with three, its relatore
# among them. Docket's procedure, the CNIL's, keeps the rapporteur out of the deliberation (loi 78-17 art 22): the
# Garante's record names the two others, and its case service counts a quorum of two.
GARANTE_QUORUM = 2


@dataclass(frozen=True)
class Installation:
    """One authority's Docket: who it is, its realm in the shared Keycloak, where it keeps its data, its ports
    (intake, case, notifier)."""

    authority: str
    realm: str
    data_dir: Path
    ports: tuple[int, ...]

    @property
    def name(self) -> str:
        return NAMES[self.authority]

    @property
    def case_url(self) -> str:
        return f"https://127.0.0.1:{self.ports[1]}"


@dataclass(frozen=True)
class Network:
    """The installations, the CNIL's first, the certificate authority their case services' certificates come from,
    and the settings each case service gets beyond its own (by authority)."""

    installations: tuple[Installation, ...]
    ca_file: Path
    case_settings: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, authority: str) -> Installation:
        return next(i for i in self.installations if i.authority == authority)

    @property
    def others(self) -> tuple[Installation, ...]:
        """The installations beside the CNIL's, each started with its own PostgreSQL, Kafka and services."""
        return self.installations[1:]

    def verify(self) -> ssl.SSLContext:
        """What a client of the case services trusts: the run's certificate authority."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def realm_files(realm_name: str, directory: Path) -> Path:
    """The realm files the Keycloak imports for another authority, written into `directory`: Docket's realm under
    the name `realm_name` (`garante`), each client secret's placeholder of its own (GARANTE_DOCKET_CASE_CLIENT_SECRET,
    ...), and that authority's demo staff. Made from Docket's realm at every start, so the two never drift apart."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (REALM_DIR / "docket-realm.json").read_text().replace("${DOCKET_", f"${{{realm_name.upper()}_DOCKET_")
    realm = json.loads(text) | {"realm": realm_name}
    (directory / f"{realm_name}-realm.json").write_text(json.dumps(realm, indent=2, ensure_ascii=False) + "\n")
    staff = f"{realm_name}-users-0.json"
    shutil.copyfile(STAFF_DIR / staff, directory / staff)
    return directory


def directory_of(peers: Sequence[Installation]) -> dict[str, list[dict[str, str]]]:
    """The cooperation directory (COOPERATION_DIRECTORY) an installation reads: the other authorities, their inboxes
    and their keys."""
    return {
        "authorities": [
            {
                "id": peer.authority,
                "name": peer.name,
                "member_state": peer.authority[:2],
                "inbox_url": f"{peer.case_url}/cooperation/messages",
                "jwks_url": f"{peer.case_url}/.well-known/jwks.json",
            }
            for peer in peers
        ]
    }


def plan(data_dir: Path, cnil_ports: tuple[int, ...], environ: Mapping[str, str] = os.environ) -> Network:
    """The installations and the files their case services read (a new certificate authority every run, the keys
    kept): under <data_dir>/network the CA's certificate, each case service's certificate and key, each authority's
    directory; each other authority's data under <data_dir>/<its realm>."""
    files = data_dir / "network"
    files.mkdir(parents=True, exist_ok=True)
    others = (
        Installation(
            peer.authority,
            peer.realm,
            data_dir / peer.realm,
            tuple(int(p) for p in environ.get(peer.ports_variable, peer.default_ports).split(",")),
        )
        for peer in PEERS
    )
    installations = (Installation(CNIL, "docket", data_dir, cnil_ports), *others)
    authority = ThrowawayAuthority("Docket network CA (make run --network)")
    ca_file = authority.write_ca(files / "ca.crt")
    settings: dict[str, dict[str, str]] = {}
    for own in installations:
        peers = [peer for peer in installations if peer is not own]
        directory = files / f"{own.authority}-directory.json"
        directory.write_text(json.dumps(directory_of(peers), indent=2, ensure_ascii=False) + "\n")
        server = authority.server(files, own.authority)
        settings[own.authority] = {
            "AUTHORITY_ID": own.authority,
            "COOPERATION_DIRECTORY": str(directory),
            "COOPERATION_SIGNING_KEY": kept(own.data_dir / "cooperation-signing.key", new_signing_key),
            "COOPERATION_CA_FILE": str(ca_file),
            "HTTP_TLS_CERTFILE": str(server.certfile),
            "HTTP_TLS_KEYFILE": str(server.keyfile),
        }
    settings[GARANTE]["RESTRICTED_COMMITTEE_QUORUM"] = str(GARANTE_QUORUM)
    return Network(installations, ca_file, settings)
