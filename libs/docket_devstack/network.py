"""`make run ARGS=--network`: the Italian Garante's Docket (IT-GPDP) beside the CNIL's, on one machine, the two case
services exchanging cooperation messages over HTTPS (docket_exchange).

The Garante's installation is a Docket of its own:
- its own PostgreSQL server, a second embedded one: deploy/postgres/roles.sql and the case migrations name their
  roles (docket_case, docket_case_heads, ...), and a server's roles are shared by all its databases, so a second
  database on the CNIL's server would let the CNIL's roles in; a server of its own gives it roles of its own.
- its own realm, `garante`, in the CNIL's Keycloak: Docket's realm (deploy/keycloak/realm) under another name,
  its clients' secrets its own, with the Garante's demo staff (deploy/keycloak/network).
- its own Kafka broker: a broker checks the tokens of one issuer, and every installation has the same topics and
  principals (docket.cases, User:docket-case), so one broker could not keep the two apart without topic prefixes
  the services do not have.
- its own intake, case and notifier, on DOCKET_GARANTE_HTTP_PORTS (8011,8012,8013 by default).
Each case service serves HTTPS with a certificate of a certificate authority made for the run (tls.py), signs its
messages with a key of its own kept beside its data, and reads a directory naming the other authority. Here are
the parts and the settings; up.py starts them.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docket_contracts.checkpoints import new_signing_key

from .keycloak import KEYCLOAK_DIR, REALM_DIR
from .tls import ThrowawayAuthority

CNIL = "FR-CNIL"
GARANTE = "IT-GPDP"
NAMES = {
    CNIL: "Commission nationale de l'informatique et des libertés",
    GARANTE: "Garante per la protezione dei dati personali",
}
GARANTE_REALM = "garante"
STAFF_DIR = KEYCLOAK_DIR / "network"  # the Garante's demo staff, password docket-demo
DEFAULT_GARANTE_PORTS = "8011,8012,8013"
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
    """The two installations, the certificate authority their case services' certificates come from, and the
    settings each case service gets beyond its own (by authority)."""

    cnil: Installation
    garante: Installation
    ca_file: Path
    case_settings: dict[str, dict[str, str]] = field(default_factory=dict)

    def verify(self) -> ssl.SSLContext:
        """What a client of the case services trusts: the run's certificate authority."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def kept(path: Path, make: Callable[[], str]) -> str:
    """A secret made once by `make` and kept at `path`, readable by its owner only, so that a later run on the same
    data directory finds it again (what it signed still verifies)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text().strip()


def garante_realm(directory: Path) -> Path:
    """The realm files the Keycloak imports for the Garante, written into `directory`: Docket's realm under the name
    `garante`, each client secret's placeholder of its own (GARANTE_DOCKET_CASE_CLIENT_SECRET, ...), and the
    Garante's demo staff. Made from Docket's realm at every start, so the two never drift apart."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (REALM_DIR / "docket-realm.json").read_text().replace("${DOCKET_", "${GARANTE_DOCKET_")
    realm = json.loads(text) | {"realm": GARANTE_REALM}
    (directory / f"{GARANTE_REALM}-realm.json").write_text(json.dumps(realm, indent=2, ensure_ascii=False) + "\n")
    staff = f"{GARANTE_REALM}-users-0.json"
    shutil.copyfile(STAFF_DIR / staff, directory / staff)
    return directory


def directory_of(peer: Installation) -> dict[str, list[dict[str, str]]]:
    """The cooperation directory (COOPERATION_DIRECTORY) an installation reads: the other authority, its inbox and
    its keys."""
    return {
        "authorities": [
            {
                "id": peer.authority,
                "name": peer.name,
                "member_state": peer.authority[:2],
                "inbox_url": f"{peer.case_url}/cooperation/messages",
                "jwks_url": f"{peer.case_url}/.well-known/jwks.json",
            }
        ]
    }


def plan(data_dir: Path, cnil_ports: tuple[int, ...], environ: Mapping[str, str] = os.environ) -> Network:
    """The two installations and the files their case services read (a new certificate authority every run, the
    keys kept): under <data_dir>/network the CA's certificate, each case service's certificate and key, each
    authority's directory; the Garante's data under <data_dir>/garante."""
    files = data_dir / "network"
    files.mkdir(parents=True, exist_ok=True)
    cnil = Installation(CNIL, "docket", data_dir, cnil_ports)
    garante_ports = tuple(int(p) for p in environ.get("DOCKET_GARANTE_HTTP_PORTS", DEFAULT_GARANTE_PORTS).split(","))
    garante = Installation(GARANTE, GARANTE_REALM, data_dir / "garante", garante_ports)
    authority = ThrowawayAuthority("Docket network CA (make run --network)")
    ca_file = authority.write_ca(files / "ca.crt")
    settings: dict[str, dict[str, str]] = {}
    for own, peer in ((cnil, garante), (garante, cnil)):
        directory = files / f"{own.authority}-directory.json"
        directory.write_text(json.dumps(directory_of(peer), indent=2, ensure_ascii=False) + "\n")
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
    return Network(cnil, garante, ca_file, settings)
