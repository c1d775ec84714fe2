import pytest

from tests.lib.pdf_helpers import LoopbackRecorder, make_signing_certificate


@pytest.fixture
def loopback():
    """A loopback server that must see no connection from the PDF renderer."""
    with LoopbackRecorder() as server:
        yield server


@pytest.fixture
def signing_key(settings, tmp_path):
    """Signing configured with a throwaway self-signed certificate; gives (key path, certificate path)."""
    key, cert = make_signing_certificate(tmp_path, "Symphony Learning Trust test signer")
    settings.SYMPHONY_SIGNING_KEY, settings.SYMPHONY_SIGNING_CERT = str(key), str(cert)
    settings.SYMPHONY_SIGNING_KEY_PASSPHRASE = ""
    return key, cert
