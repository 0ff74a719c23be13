#!/usr/bin/env python3
"""A release repository made and changed with python-tuf's Metadata API, for the TUF client tests
(Tests/OTAIntegrationTests/TUF, Tests/OTACommandTests): the device side reads what python-tuf writes.

  tuf-catalog.py init DIR < SPEC       a new repository in DIR (keys in DIR/keys, the initial root in DIR/root.json)
  tuf-catalog.py publish DIR < SPEC    replace the targets: new targets, snapshot and timestamp versions
  tuf-catalog.py timestamp DIR [--version N] [--expires-in SECONDS | --expires-at TIME] [--snapshot-version N] [--out FILE]
                                       re-sign the timestamp (default: the next version, for a day, naming the current snapshot);
                                       TIME is UTC as 2026-01-31T12:00:00Z
  tuf-catalog.py rotate-root DIR [--timestamp-key]
                                       root N+1 with a new root key (signed by the old and the new one), and
                                       optionally a new timestamp key (the timestamp is then re-signed with it)
  tuf-catalog.py forge-targets DIR     targets signed by a key root does not trust, published with a valid
                                       snapshot and timestamp
  tuf-catalog.py tamper DIR ROLE DEFECT
                                       the next version of ROLE (timestamp, snapshot or targets) with one defect,
                                       the roles above it re-signed over it: oversized (padded one byte over the
                                       client's limit for the role), malformed (not JSON), wrong-key-type (an
                                       ECDSA signature under the id of the role's Ed25519 key), wrong-length or
                                       wrong-hash (snapshot, targets: the role above records a length one byte
                                       longer, or another sha256)

SPEC (JSON): {"consistent_snapshot": true, "targets": [{"path": "monitor/1.1.0/monitor.tar.gz",
"file": "/abs/source", "custom": {"ota": {...}}}]}. DIR/metadata holds versioned roots, timestamp.json and
N.snapshot.json / N.targets.json (unversioned names without consistent snapshots); DIR/targets the target
files (HASH.NAME under consistent snapshots). Needs PyPI `tuf` (7.x) and `securesystemslib[crypto]`.
"""

import argparse
import hashlib
import json
import os
import sys
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

ROLES = ["root", "timestamp", "snapshot", "targets"]


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class Repository:
    def __init__(self, directory: str):
        self.dir = directory
        self.metadata = os.path.join(directory, "metadata")
        self.keys = os.path.join(directory, "keys")

    # Keys: one PEM file per role (the current one).
    def save_key(self, role: str, signer: CryptoSigner) -> None:
        os.makedirs(self.keys, exist_ok=True)
        pem = signer._private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        with open(os.path.join(self.keys, role + ".pem"), "wb") as f:
            f.write(pem)

    def key(self, role: str) -> CryptoSigner:
        with open(os.path.join(self.keys, role + ".pem"), "rb") as f:
            return CryptoSigner(load_pem_private_key(f.read(), None))

    # Metadata files.
    def root(self) -> Metadata:
        versions = [int(name.split(".")[0]) for name in os.listdir(self.metadata) if name.endswith(".root.json")]
        return Metadata.from_file(os.path.join(self.metadata, f"{max(versions)}.root.json"))

    def consistent(self) -> bool:
        return self.root().signed.consistent_snapshot

    def path(self, role: str, version: int) -> str:
        return os.path.join(self.metadata, f"{version}.{role}.json" if self.consistent() else f"{role}.json")

    def write(self, md: Metadata, path: str, *signers: CryptoSigner) -> bytes:
        md.signatures.clear()
        for signer in signers:
            md.sign(signer, append=True)
        data = md.to_bytes(JSONSerializer(compact=False))
        previous = os.stat(path).st_mtime if os.path.exists(path) else None
        with open(path, "wb") as f:
            f.write(data)
        # nginx's ETag is the whole-second mtime and the size, and a re-signed file often keeps its size: a
        # rewrite within the second of the copy a device fetched must still change the ETag.
        if previous is not None and int(os.stat(path).st_mtime) <= int(previous):
            os.utime(path, (int(previous) + 1, int(previous) + 1))
        return data

    def current(self, role: str) -> Metadata:
        timestamp = Metadata.from_file(os.path.join(self.metadata, "timestamp.json"))
        if role == "snapshot":
            return Metadata.from_file(self.path("snapshot", timestamp.signed.snapshot_meta.version))
        snapshot = self.current("snapshot")
        return Metadata.from_file(self.path(role, snapshot.signed.meta[f"{role}.json"].version))

    # Publishing.
    def add_targets(self, targets: Targets, spec: dict) -> None:
        for entry in spec["targets"]:
            with open(entry["file"], "rb") as f:
                data = f.read()
            target = TargetFile.from_data(entry["path"], data, ["sha256"])
            if "custom" in entry:
                target.unrecognized_fields["custom"] = entry["custom"]
            targets.targets[entry["path"]] = target
            folder, name = os.path.split(entry["path"])
            if self.consistent():
                name = f"{target.hashes['sha256']}.{name}"
            os.makedirs(os.path.join(self.dir, "targets", folder), exist_ok=True)
            with open(os.path.join(self.dir, "targets", folder, name), "wb") as f:
                f.write(data)

    def publish_targets(self, targets: Metadata, signer: CryptoSigner) -> None:
        targets_data = self.write(targets, self.path("targets", targets.signed.version), signer)
        has_timestamp = os.path.exists(os.path.join(self.metadata, "timestamp.json"))
        version = self.current("snapshot").signed.version + 1 if has_timestamp else 1
        snapshot = Metadata(Snapshot(version=version, expires=now() + timedelta(days=30)))
        snapshot.signed.meta["targets.json"] = MetaFile(targets.signed.version, len(targets_data),
                                                        {"sha256": hashlib.sha256(targets_data).hexdigest()})
        self.write(snapshot, self.path("snapshot", version), self.key("snapshot"))
        self.timestamp()

    def timestamp(self, version=None, expires_in=86400, snapshot_version=None, out=None, expires_at=None) -> None:
        path = os.path.join(self.metadata, "timestamp.json")
        if version is None:
            version = Metadata.from_file(path).signed.version + 1 if os.path.exists(path) else 1
        if snapshot_version is None:
            versions = [int(n.split(".")[0]) for n in os.listdir(self.metadata) if n.endswith(".snapshot.json") and n[0].isdigit()]
            snapshot_version = max(versions) if self.consistent() else Metadata.from_file(self.path("snapshot", 0)).signed.version
        with open(self.path("snapshot", snapshot_version), "rb") as f:
            snapshot_data = f.read()
        expires = expires_at or now() + timedelta(seconds=expires_in)
        md = Metadata(Timestamp(version=version, expires=expires))
        md.signed.snapshot_meta = MetaFile(snapshot_version, len(snapshot_data), {"sha256": hashlib.sha256(snapshot_data).hexdigest()})
        self.write(md, out or path, self.key("timestamp"))


def init(repo: Repository, spec: dict) -> None:
    os.makedirs(repo.metadata)
    signers = {role: CryptoSigner.generate_ed25519() for role in ROLES}
    root = Metadata(Root(expires=now() + timedelta(days=365), consistent_snapshot=spec.get("consistent_snapshot", True)))
    for role, signer in signers.items():
        root.signed.add_key(signer.public_key, role)
        repo.save_key(role, signer)
    data = repo.write(root, os.path.join(repo.metadata, "1.root.json"), signers["root"])
    with open(os.path.join(repo.dir, "root.json"), "wb") as f:
        f.write(data)
    targets = Metadata(Targets(expires=now() + timedelta(days=30)))
    repo.add_targets(targets.signed, spec)
    repo.publish_targets(targets, signers["targets"])


def publish(repo: Repository, spec: dict) -> None:
    targets = repo.current("targets")
    targets.signed.version += 1
    targets.signed.targets.clear()
    repo.add_targets(targets.signed, spec)
    repo.publish_targets(targets, repo.key("targets"))


def rotate_root(repo: Repository, timestamp_key: bool) -> None:
    root = repo.root()
    old = repo.key("root")
    new = CryptoSigner.generate_ed25519()
    root.signed.version += 1
    root.signed.revoke_key(old.public_key.keyid, "root")
    root.signed.add_key(new.public_key, "root")
    if timestamp_key:
        signer = CryptoSigner.generate_ed25519()
        root.signed.revoke_key(repo.key("timestamp").public_key.keyid, "timestamp")
        root.signed.add_key(signer.public_key, "timestamp")
        repo.save_key("timestamp", signer)
    repo.write(root, os.path.join(repo.metadata, f"{root.signed.version}.root.json"), old, new)
    repo.save_key("root", new)
    if timestamp_key:
        repo.timestamp()


def forge_targets(repo: Repository) -> None:
    targets = repo.current("targets")
    targets.signed.version += 1
    repo.publish_targets(targets, CryptoSigner.generate_ed25519())


LIMITS = {"timestamp": 16_384, "snapshot": 2_000_000, "targets": 5_000_000}


def tamper(repo: Repository, role: str, defect: str) -> None:
    if role == "timestamp" and defect in ("wrong-length", "wrong-hash"):
        sys.exit("tamper: no role above timestamp records its length or hash")
    md = Metadata.from_file(os.path.join(repo.metadata, "timestamp.json")) if role == "timestamp" else repo.current(role)
    md.signed.version += 1
    md.signed.expires = now() + timedelta(days=1)
    key = repo.key(role)
    if defect == "wrong-key-type":
        md.sign(CryptoSigner.generate_ecdsa())
        signature = next(iter(md.signatures.values()))
        signature.keyid = key.public_key.keyid
        md.signatures.clear()
        md.signatures[key.public_key.keyid] = signature
        data = md.to_bytes(JSONSerializer(compact=False))
    else:
        md.sign(key)
        data = md.to_bytes(JSONSerializer(compact=False))
    if defect == "oversized":
        data += b" " * (LIMITS[role] + 1 - len(data))
    elif defect == "malformed":
        data = b'{"signed": {"_type": "' + role.encode()
    path = os.path.join(repo.metadata, "timestamp.json") if role == "timestamp" else repo.path(role, md.signed.version)
    with open(path, "wb") as f:
        f.write(data)
    if role == "timestamp":
        return
    length = len(data) + (1 if defect == "wrong-length" else 0)
    digest = hashlib.sha256(data + (b"!" if defect == "wrong-hash" else b"")).hexdigest()
    meta = MetaFile(md.signed.version, length, {"sha256": digest})
    if role == "targets":
        snapshot = repo.current("snapshot")
        snapshot.signed.version += 1
        snapshot.signed.meta["targets.json"] = meta
        repo.write(snapshot, repo.path("snapshot", snapshot.signed.version), repo.key("snapshot"))
        repo.timestamp()
    else:
        timestamp = Metadata.from_file(os.path.join(repo.metadata, "timestamp.json"))
        timestamp.signed.version += 1
        timestamp.signed.expires = now() + timedelta(days=1)
        timestamp.signed.snapshot_meta = meta
        repo.write(timestamp, os.path.join(repo.metadata, "timestamp.json"), repo.key("timestamp"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["init", "publish", "timestamp", "rotate-root", "forge-targets", "tamper"])
    parser.add_argument("dir")
    parser.add_argument("role", nargs="?", choices=["timestamp", "snapshot", "targets"])
    parser.add_argument("defect", nargs="?", choices=["oversized", "malformed", "wrong-key-type", "wrong-length", "wrong-hash"])
    parser.add_argument("--version", type=int)
    expiry = parser.add_mutually_exclusive_group()
    expiry.add_argument("--expires-in", type=int, default=86400)
    expiry.add_argument("--expires-at", type=lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc))
    parser.add_argument("--snapshot-version", type=int)
    parser.add_argument("--out")
    parser.add_argument("--timestamp-key", action="store_true")
    args = parser.parse_args()
    repo = Repository(args.dir)
    if args.command == "init":
        init(repo, json.load(sys.stdin))
    elif args.command == "publish":
        publish(repo, json.load(sys.stdin))
    elif args.command == "timestamp":
        repo.timestamp(args.version, args.expires_in, args.snapshot_version, args.out, args.expires_at)
    elif args.command == "rotate-root":
        rotate_root(repo, args.timestamp_key)
    elif args.command == "forge-targets":
        forge_targets(repo)
    elif args.command == "tamper":
        tamper(repo, args.role, args.defect)


if __name__ == "__main__":
    main()
