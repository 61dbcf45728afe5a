"""`corridor serve --tls-cert/--tls-key` serves HTTPS directly."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import subprocess
import sys
import time

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from corridor.node.service import init_node


def self_signed(tmp_path):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return tmp_path / "cert.pem", tmp_path / "key.pem"


@pytest.mark.network
def test_serve_with_tls(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cert, key = self_signed(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    init_node(
        tmp_path / "n", name="TLS", org="TLS", country="GR", url=f"https://127.0.0.1:{port}"
    ).node.close()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corridor",
            "serve",
            "--data-dir",
            str(tmp_path / "n"),
            "--port",
            str(port),
            "--workers",
            "1",
            "--tls-cert",
            str(cert),
            "--tls-key",
            str(key),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ctx = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(f"https://127.0.0.1:{port}/login", verify=ctx, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert r.status_code == 200
        assert "max-age" in r.headers["strict-transport-security"]
        assert "Secure" in r.headers["set-cookie"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_tls_options_go_together(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from corridor.cli.main import app

    r = CliRunner().invoke(
        app, ["serve", "--tls-cert", str(tmp_path / "x.pem"), "--data-dir", str(tmp_path)]
    )
    assert r.exit_code == 2 and "go together" in r.output
