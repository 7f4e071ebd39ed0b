"""The notifier's mail: STARTTLS verifies the server's certificate against its name, and the login is never
sent over a connection that is not encrypted.

The mail servers are aiosmtpd on 127.0.0.1, with a self-signed certificate made for the test.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from docket_devstack.ports import free_port
from services.notifier.config import NotifierSettings
from services.notifier.outbound import PlainLogin, SmtpMailer


@dataclass
class Server:
    """What the mail server saw: the logins tried, and the messages it accepted."""

    port: int
    logins: list[str] = field(default_factory=list)
    accepted: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.append(envelope.content)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        self.logins.append(mechanism)
        return AuthResult(success=True)


def certificate(name: str, directory: Path) -> tuple[Path, Path, str]:
    """A self-signed certificate for `name`, its key, and its PEM (to trust it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file, pem.decode()


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    """A mail server offering STARTTLS with a certificate for `localhost` that no CA signed, and its PEM."""
    cert_file, key_file, pem = certificate("localhost", tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    server = Server(free_port())
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=server.port,
        tls_context=context,
        require_starttls=True,
        authenticator=server.authenticate,
    )
    controller.start()
    try:
        yield server, pem
    finally:
        controller.stop()


@pytest.fixture
def plain_server() -> Iterator[Server]:
    """A mail server without TLS that takes a login anyway."""
    server = Server(free_port())
    controller = Controller(
        server, hostname="127.0.0.1", port=server.port, authenticator=server.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def letter() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "d@docket.example", "j@example.org", "Your complaint"
    message.set_content("Dear Jeanne Martin,")
    return message


async def test_starttls_refuses_a_certificate_no_trusted_ca_signed(tls_server):
    server, _ = tls_server
    mailer = SmtpMailer("localhost", server.port, timeout_s=5, starttls=True, username="docket", password="secret")
    with pytest.raises(ssl.SSLCertVerificationError):
        await mailer.send(letter())
    assert (server.logins, server.accepted) == ([], [])


async def test_starttls_refuses_a_trusted_certificate_of_another_name(tls_server):
    server, pem = tls_server
    trusting = ssl.create_default_context(cadata=pem)
    mailer = SmtpMailer("127.0.0.1", server.port, timeout_s=5, starttls=True, ssl_context=trusting)
    with pytest.raises(ssl.SSLCertVerificationError, match="match"):
        await mailer.send(letter())
    assert server.accepted == []


async def test_starttls_with_a_certificate_that_verifies_logs_in_and_sends(tls_server):
    server, pem = tls_server
    trusting = ssl.create_default_context(cadata=pem)
    mailer = SmtpMailer(
        "localhost", server.port, timeout_s=5, starttls=True, username="docket", password="secret", ssl_context=trusting
    )
    await mailer.send(letter())
    assert len(server.accepted) == 1 and server.logins


async def test_the_login_is_never_sent_over_a_connection_in_clear(plain_server):
    mailer = SmtpMailer("127.0.0.1", plain_server.port, timeout_s=5, username="docket", password="secret")
    with pytest.raises(PlainLogin):
        await mailer.send(letter())
    assert (plain_server.logins, plain_server.accepted) == ([], [])
    # Without a login, a server in clear is still used (a relay on the same host or network).
    await SmtpMailer("127.0.0.1", plain_server.port, timeout_s=5).send(letter())
    assert len(plain_server.accepted) == 1


def test_a_username_without_starttls_is_refused_at_start():
    required = {
        "database_url": "postgresql+asyncpg://n@h/d",
        "oidc_issuer": "https://id.example",
        "keystore_master_key": "x",
    }
    with pytest.raises(ValidationError, match="SMTP_STARTTLS"):
        NotifierSettings(**required, smtp_host="mail.example", smtp_username="docket")
    assert NotifierSettings(**required, smtp_host="mail.example", smtp_username="docket", smtp_starttls=True)
