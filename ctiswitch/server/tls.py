"""The server's TLS certificate: self-signed, made once, kept in the data folder.

TLS is on by default (DESIGN.md), and clients must be able to trust the
server, so the certificate is generated on first start and reused after:
a client configured to trust the printed file keeps working across restarts.
It is replaced only when it can no longer serve (unreadable, key mismatch,
expiring, or missing a name the server is now reached by).
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import StartupError

CERT_FILE = "tls-cert.pem"
KEY_FILE = "tls-key.pem"
#: Apple platforms refuse TLS server certificates valid for longer, even
#: ones the user trusts by hand.
VALIDITY = datetime.timedelta(days=825)
#: A certificate this close to expiry is replaced at start.
RENEW_BEFORE = datetime.timedelta(days=30)
#: Hosts meaning "every interface": not names a client can connect to.
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})

Name = x509.DNSName | x509.IPAddress


@dataclass(frozen=True, slots=True)
class Certificate:
    """Where the certificate and its key are, and whether this start made them."""

    cert_path: Path
    key_path: Path
    created: bool


def ensure_certificate(data_dir: Path, host: str) -> Certificate:
    """The data folder's certificate, generated if missing or unusable.

    It names localhost, 127.0.0.1 and ::1, plus ``host`` when the server
    listens on one specific address or name, so clients can verify it.
    """
    cert_path = data_dir.resolve() / CERT_FILE
    key_path = data_dir.resolve() / KEY_FILE
    names = _names_for(host)
    if _reusable(cert_path, key_path, names):
        return Certificate(cert_path, key_path, created=False)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _self_signed(key, names)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        _write_private(key_path, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    except OSError as error:
        raise StartupError(f"cannot write the TLS certificate into {data_dir}: {error.strerror}") from error
    return Certificate(cert_path, key_path, created=True)


def _names_for(host: str) -> list[Name]:
    names: list[Name] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    if host not in _WILDCARDS:
        try:
            extra: Name = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            extra = x509.DNSName(host)
        if extra not in names:
            names.append(extra)
    return names


def _self_signed(key: rsa.RSAPrivateKey, names: list[Name]) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ctiswitch")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=True, content_commitment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _reusable(cert_path: Path, key_path: Path, names: list[Name]) -> bool:
    """Whether the files on disk still make a certificate worth keeping."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound):
        return False
    now = datetime.datetime.now(datetime.UTC)
    return (
        key.public_key() == cert.public_key()
        and cert.not_valid_after_utc - RENEW_BEFORE > now
        and all(name in san for name in names)
    )


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write atomically with ``mode`` from the first byte, so the key is
    never readable by others, and a crash never leaves half a file."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(partial, path)
