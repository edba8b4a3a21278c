"""A local test PKI for digital signatures: a root CA standing in for Ban Cơ yếu, personal and
organisation signer certificates, an untrusted CA, a timestamp authority and a CRL.

Built with `cryptography` once per process (RSA key generation is the slow part) so tests, the
benchmark and a developer's shell all sign offline. Nothing here is for production use.
"""

import contextlib
import datetime
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

CRL_URL = "http://127.0.0.1:9/test-ca.crl"
PASSPHRASE = "mat-khau-thu-nghiem"
"""Passphrase of every PKCS#12 file this module exports unless another is given."""


@dataclass(frozen=True)
class Identity:
    """A key and its certificate, with the issuer chain (root excluded)."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    issuer: x509.Certificate | None = None

    @property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return to_asn1(self.cert)

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        der = self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return asn1_keys.PrivateKeyInfo.load(der)

    def pkcs12(self, passphrase: str = PASSPHRASE) -> bytes:
        """The identity as a .p12 file, as a CA hands it to a signer."""
        name = self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        return pkcs12.serialize_key_and_certificates(
            name=str(name).encode(),
            key=self.key,
            cert=self.cert,
            cas=[self.issuer] if self.issuer is not None else None,
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
        )


@dataclass(frozen=True)
class LocalPki:
    root: Identity
    signer: Identity
    """Personal certificate: Nguyễn Văn Đức, Bí thư."""
    organisation: Identity
    """Organisation certificate of the issuing Party body."""
    revoked_signer: Identity
    """Listed in `crl`."""
    expired_signer: Identity
    future_signer: Identity
    """Not yet valid."""
    encipherment_only_signer: Identity
    """Key usage keyEncipherment only: not a signing certificate."""
    untrusted_root: Identity
    untrusted_signer: Identity
    tsa: Identity
    crl: x509.CertificateRevocationList

    @property
    def asn1_crl(self) -> asn1_crl.CertificateList:
        return asn1_crl.CertificateList.load(crl_der(self.crl))

    def timestamper(self, fixed_dt: datetime.datetime | None = None) -> DummyTimeStamper:
        """An in-process RFC 3161 TSA signing with the test TSA certificate."""
        return DummyTimeStamper(
            tsa_cert=self.tsa.asn1_cert, tsa_key=self.tsa.asn1_key, fixed_dt=fixed_dt
        )


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def crl_der(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca(common_name: str, organisation: str, now: datetime.datetime) -> Identity:
    key = _key()
    name = _name(common_name, organisation)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=365))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(key=key, cert=cert)


def _leaf(
    ca: Identity,
    common_name: str,
    organisation: str,
    *,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    signing: bool = True,
    time_stamping: bool = False,
) -> Identity:
    key = _key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=signing,
                content_commitment=signing and not time_stamping,
                key_encipherment=not signing,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    # declared like a real CA's; never fetched (tests pass the CRL or embed it)
    builder = builder.add_extension(
        x509.CRLDistributionPoints(
            [
                x509.DistributionPoint(
                    full_name=[x509.UniformResourceIdentifier(CRL_URL)],
                    relative_name=None,
                    reasons=None,
                    crl_issuer=None,
                )
            ]
        ),
        critical=False,
    )
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Identity(key=key, cert=builder.sign(ca.key, hashes.SHA256()), issuer=ca.cert)


@functools.cache
def local_pki() -> LocalPki:
    """The process-wide test PKI (built on first use, about a second)."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start, end = now - datetime.timedelta(days=30), now + datetime.timedelta(days=730)
    root = _ca("CA thử nghiệm Ban Cơ yếu", "Ban Cơ yếu Chính phủ (thử nghiệm)", now)
    signer = _leaf(root, "Nguyễn Văn Đức", "Đảng bộ tỉnh Bắc Ninh", not_before=start, not_after=end)
    organisation = _leaf(
        root, "Văn phòng Tỉnh ủy Bắc Ninh", "Đảng bộ tỉnh Bắc Ninh", not_before=start, not_after=end
    )
    revoked_signer = _leaf(
        root, "Trần Thị Hằng", "Đảng bộ xã Yên Phong", not_before=start, not_after=end
    )
    expired_signer = _leaf(
        root,
        "Lê Văn Hùng",
        "Đảng bộ xã Yên Phong",
        not_before=now - datetime.timedelta(days=800),
        not_after=now - datetime.timedelta(days=1),
    )
    future_signer = _leaf(
        root,
        "Phạm Thị Lan",
        "Đảng bộ xã Yên Phong",
        not_before=now + datetime.timedelta(days=10),
        not_after=now + datetime.timedelta(days=700),
    )
    encipherment_only = _leaf(
        root,
        "Hoàng Văn Nam",
        "Đảng bộ xã Yên Phong",
        signing=False,
        not_before=start,
        not_after=end,
    )
    untrusted_root = _ca("CA tự lập", "Tổ chức không rõ", now)
    untrusted_signer = _leaf(
        untrusted_root, "Đỗ Văn Giả", "Tổ chức không rõ", not_before=start, not_after=end
    )
    tsa = _leaf(
        root, "Máy chủ cấp dấu thời gian thử nghiệm", "Ban Cơ yếu Chính phủ (thử nghiệm)",
        time_stamping=True, not_before=start, not_after=end,
    )  # fmt: skip
    revoked_entry = (
        x509.RevokedCertificateBuilder()
        .serial_number(revoked_signer.cert.serial_number)
        .revocation_date(now - datetime.timedelta(days=1))
        .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
        .build()
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.cert.subject)
        .last_update(now - datetime.timedelta(hours=1))
        .next_update(now + datetime.timedelta(days=7))
        .add_revoked_certificate(revoked_entry)
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key()),
            critical=False,
        )
        .sign(root.key, hashes.SHA256())
    )
    return LocalPki(
        root=root,
        signer=signer,
        organisation=organisation,
        revoked_signer=revoked_signer,
        expired_signer=expired_signer,
        future_signer=future_signer,
        encipherment_only_signer=encipherment_only,
        untrusted_root=untrusted_root,
        untrusted_signer=untrusted_signer,
        tsa=tsa,
        crl=crl,
    )


@contextlib.contextmanager
def serve_timestamps(timestamper: DummyTimeStamper) -> Iterator[str]:
    """Run an RFC 3161 timestamp server on loopback; yields its URL (for DANGSO_TSA_URL)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            response = timestamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(response)))
            self.end_headers()
            self.wfile.write(response)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
