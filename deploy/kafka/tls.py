"""The TLS certificate of the broker that docker-compose.yml and the Kubernetes trial run, signed by a certificate
authority made for it alone, whose key is thrown away once it has signed: nothing else can ever be signed by it.

    python3 deploy/kafka/tls.py deploy/kafka/tls

writes into the folder given (made readable by its owner only, and ignored by git):
- kafka-ca.crt, the authority's certificate: what the services, the ACL job and an integrator trust
  (KAFKA_SSL_CAFILE);
- kafka-broker.pem, the broker's private key (PKCS#8, unencrypted) and its certificate chain, for the names the
  broker is reached by (NAMES), which server.properties beside this file reads. It is readable by anyone who can
  reach the file inside the folder, as the broker's container runs as a user of its own.

It never overwrites them: a second run refuses. deploy/k8s/overlays/trial/write_secrets.py makes the trial's with
`write` below. Only the standard library and the openssl command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# The names the broker is reached by: its compose service and Kubernetes Service, and localhost from its own
# container (the health check).
NAMES = ("kafka", "localhost")
DAYS = 825
CA_FILE = "kafka-ca.crt"
BROKER_FILE = "kafka-broker.pem"


def _openssl(*arguments: str, cwd: str) -> None:
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True, text=True)


def certificates(names: tuple[str, ...] = NAMES, days: int = DAYS) -> dict[str, str]:
    """A fresh authority's certificate and the broker's key and chain, by file name; the authority's key is made in
    a temporary folder readable by this user only, and deleted with it."""
    with tempfile.TemporaryDirectory(prefix="kafka-tls-") as work:
        _openssl(
            "req", "-x509", "-newkey", "rsa:3072", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-subj", "/CN=Docket Kafka CA", "-days", str(days),
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=work,
        )  # fmt: skip
        _openssl(
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr",
            "-subj", f"/CN={names[0]}",
            cwd=work,
        )  # fmt: skip
        extensions = Path(work) / "broker.ext"
        extensions.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth,clientAuth\n"
            f"subjectAltName={','.join(f'DNS:{name}' for name in names)}\n"
        )
        _openssl(
            "x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", str(days), "-extfile", "broker.ext", "-out", "broker.crt",
            cwd=work,
        )  # fmt: skip
        read = {name: (Path(work) / name).read_text() for name in ("ca.crt", "broker.key", "broker.crt")}
    return {CA_FILE: read["ca.crt"], BROKER_FILE: read["broker.key"] + read["broker.crt"] + read["ca.crt"]}


def write(directory: Path, files: dict[str, str], mode: int = 0o644) -> None:
    """Write the files into `directory`, which exists and is readable by its owner only. By default anyone may
    read the files themselves: a container's own user reads each through its mount, not through the folder."""
    for name, text in files.items():
        path = directory / name
        path.touch(mode=mode)
        path.chmod(mode)  # whatever the umask
        path.write_text(text)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python3 deploy/kafka/tls.py FOLDER\n")
        return 2
    directory = Path(argv[0])
    if directory.exists():
        sys.stderr.write(f"{directory} exists; remove it to make a new authority and certificate\n")
        return 1
    files = certificates()
    directory.mkdir(mode=0o700, parents=True)
    os.chmod(directory, 0o700)
    write(directory, files)
    print(f"wrote {', '.join(files)} into {directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
