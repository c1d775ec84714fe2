"""Helpers for PDF tests: reading PDFs back, a loopback server that records any connection, and
throwaway signing certificates."""

import contextlib
import datetime
import re
import socket
import subprocess
import threading
from io import BytesIO
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from tests.conftest import free_port, require_system_tool


def page_texts(pdf_bytes: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (pypdf's extraction)."""
    return [normalise(page.extract_text()) for page in PdfReader(BytesIO(pdf_bytes)).pages]


def normalise(text: str) -> str:
    return " ".join(text.split())


def words(text: str) -> str:
    """Text as words only: whitespace collapsed and the *emphasis* markers of stored clauses dropped."""
    return normalise(text.replace("*", ""))


def qpdf_check(pdf_bytes: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    require_system_tool("qpdf", "qpdf")
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf_bytes)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)


def pdfa_status(pdf_bytes: bytes) -> str:
    with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
        return pdf.open_metadata().pdfa_status


def attachments(pdf_bytes: bytes) -> dict[str, bytes]:
    with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
        return {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}


class LoopbackRecorder:
    """A TCP server on 127.0.0.1 that records every connection (and answers like a tiny web server)."""

    def __init__(self):
        self.port = free_port()
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                with contextlib.suppress(TimeoutError):
                    conn.recv(65536)  # the request, read so that the client sees a clean answer
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfetched-from-loopback")

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(2)
        self._server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def make_signing_certificate(folder: Path, common_name: str) -> tuple[Path, Path]:
    """A throwaway self-signed certificate and its key, as PEM files: (key path, certificate path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    slug = re.sub(r"\W+", "-", common_name.lower())
    key_path, cert_path = folder / f"{slug}-key.pem", folder / f"{slug}-cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
