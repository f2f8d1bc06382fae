"""The cluster locked by default: Redis with a password, Dask with TLS, secrets never on a command line.

A Redis frontier or a Dask scheduler on another machine is a door: whoever reaches an open Redis
can rewrite the crawl queue, and whoever reaches an open Dask scheduler runs any Python on every
worker. So ``ogi crawl --redis``, ``ogi crawl-worker`` and ``ogi ingest --scheduler`` refuse an
address off this machine that is neither authenticated (Redis: a password or an ACL user's
password) nor encrypted and authenticated (Dask: ``tls://`` with certificates), unless told
``--insecure`` — for a network the user trusts. Loopback addresses need nothing.

Secrets come from the environment or a file, never from the command line (``ps`` shows it to
every user of the machine; the shell keeps it in its history) and never in a log line:

* the Redis password: ``--redis-password-file FILE`` or ``OGI_REDIS_PASSWORD`` (an ACL user's
  name goes in the URL, ``redis://ogi@HOST:6379/0``, or ``OGI_REDIS_USER``);
* Dask's certificates: a folder holding ``ca.pem``, ``node.pem`` and ``node.key`` — ``--tls-dir
  DIR``, ``OGI_TLS_DIR``, or ``certs/`` in the project, which ``make certs`` fills
  (``python -m pipeline.locked certs DIR``): a CA of its own and one certificate it signs, for the
  scheduler, every worker and the client alike. Copy the folder to each machine, privately.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .errors import UsageError
from .settings import PROJECT

CERT_FILES = ("ca.pem", "node.pem", "node.key")


def is_loopback(host: str | None) -> bool:
    """Only this machine: 127.0.0.0/8, ::1 or localhost. A name is not resolved (a name that
    resolves to loopback here may not elsewhere): it counts as another machine."""
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secret_from(env: str, file: str | Path | None = None) -> str | None:
    """A secret from FILE (its first line) when given, else from the environment variable."""
    if file:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{file}: cannot read the secret: {exc.strerror}") from None
        return text.splitlines()[0].strip() if text.strip() else None
    return os.environ.get(env) or None


def refuse_open(what: str, shown: str, host: str | None, locked: bool, insecure: bool, how: str):
    """Raise UsageError for an address off this machine that is not locked (unless --insecure)."""
    if locked or insecure or is_loopback(host):
        return
    raise UsageError(
        f"refusing {what} at {shown}: it is on another machine and {how} "
        "(or pass --insecure on a network you trust)"
    )


# ---------------------------------------------------------------- Dask TLS
def tls_dir(given: str | Path | None = None) -> Path | None:
    """The certificates' folder: the one given, else OGI_TLS_DIR, else certs/ when it exists."""
    if given:
        return Path(given)
    if os.environ.get("OGI_TLS_DIR"):
        return Path(os.environ["OGI_TLS_DIR"])
    default = PROJECT / "certs"
    return default if (default / "node.pem").exists() else None


def dask_security(scheduler: str | None, certs: str | Path | None, insecure: bool):
    """The `distributed.Security` for a client of `scheduler` (None: plain TCP on loopback or
    --insecure); raises UsageError for an open scheduler off this machine or missing certificates."""
    if not scheduler:
        return None
    parts = urlsplit(scheduler if "://" in scheduler else "tcp://" + scheduler)
    if parts.scheme == "tls":
        folder = tls_dir(certs)
        missing = [n for n in CERT_FILES if folder is None or not (folder / n).is_file()]
        if missing:
            raise UsageError(
                f"{scheduler} needs certificates: {', '.join(missing)} not found in "
                f"{folder or 'certs/'} (run `make certs` and copy certs/ to every machine, "
                "or give --tls-dir DIR / OGI_TLS_DIR)"
            )
        from distributed import Security

        return Security(
            tls_ca_file=str(folder / "ca.pem"),
            tls_client_cert=str(folder / "node.pem"),
            tls_client_key=str(folder / "node.key"),
            require_encryption=True,
        )
    refuse_open(
        "the Dask scheduler",
        scheduler,
        parts.hostname,
        False,
        insecure,
        "speaks plain TCP: anyone who reaches it runs code on every worker; use tls:// with "
        "certificates (make certs)",
    )
    return None


def make_certs(folder: str | Path, hosts: tuple[str, ...] = (), days: int = 3650) -> Path:
    """A CA of its own and one certificate it signs (ca.pem, ca.key, node.pem, node.key) in
    FOLDER, which must not hold certificates already. Dask checks the chain, not host names;
    `hosts` are written as subject alternative names for other TLS clients."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = Path(folder)
    if any((folder / n).exists() for n in (*CERT_FILES, "ca.key")):
        raise UsageError(f"{folder} already holds certificates: remove them first to make new ones")
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)

    def cert(subject, issuer, key, signer, ca: bool, names=()):
        b = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            b = b.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
        return b.sign(signer, hashes.SHA256())

    ca_key, node_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OGI Reports cluster CA")])
    node_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ogi-node")])
    alt = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    for h in hosts:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            alt.append(x509.DNSName(h))
    ca = cert(ca_name, ca_name, ca_key, ca_key, True)
    node = cert(node_name, ca_name, node_key, ca_key, False, alt)
    pem = serialization.Encoding.PEM
    for name, key in (("ca.key", ca_key), ("node.key", node_key)):
        path = folder / name
        path.write_bytes(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        path.chmod(0o600)
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "node.pem").write_bytes(node.public_bytes(pem))
    return folder


def main(argv: list[str] | None = None) -> int:
    """python -m pipeline.locked certs [DIR] [HOST …]  (what `make certs` runs)"""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] != "certs":
        print(main.__doc__, file=sys.stderr)
        return 2
    folder = Path(args[1]) if len(args) > 1 else PROJECT / "certs"
    try:
        make_certs(folder, tuple(args[2:]))
    except UsageError as exc:
        print(f"ogi: {exc}", file=sys.stderr)
        return 2
    print(
        f"certificates in {folder}: ca.pem, node.pem, node.key (and ca.key: keep it private). "
        "Copy the folder to every machine of the cluster, privately."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
