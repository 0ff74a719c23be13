#!/usr/bin/env python3
"""python-tuf's side of the TUF interoperability tests (Tests/OTATests/TUF).

  tuf-interop.py canonical            JSON on stdin -> securesystemslib's canonical JSON on stdout
  tuf-interop.py repository DIR       a repository made with python-tuf's Metadata API in DIR

The repository (consistent snapshot) has: three root versions (rotation to a threshold of 2, then
replacement of the first root key, and of the timestamp key); ed25519, ecdsa (both key types) and
rsassa-pss-sha256 keys; a targets role with an unknown field inside `signed`; a delegated role by
path pattern and one delegating to succinct hash bins. DIR/metadata holds the metadata, DIR/targets the target files, DIR/variants bad
copies (expired, rolled back, forged, under-signed, re-serialised), DIR/expected.json what the client
must find. Needs PyPI `tuf` (7.x) and `securesystemslib[crypto]`.
"""

import json
import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

NOW = datetime.now(timezone.utc).replace(microsecond=0)
FUTURE = NOW + timedelta(days=365)
PAST = NOW - timedelta(days=1)


def canonical() -> None:
    sys.stdout.buffer.write(encode_canonical(json.loads(sys.stdin.buffer.read().decode("utf-8"))).encode("utf-8"))


def legacy_ecdsa() -> CryptoSigner:
    """A P-256 signer whose public key uses the deprecated keytype "ecdsa-sha2-nistp256"."""
    signer = CryptoSigner.generate_ecdsa()
    key = signer.public_key
    legacy = SSlibKey(key.keyid, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", dict(key.keyval))
    return CryptoSigner(signer._private_key, legacy)


def sign(md: Metadata, *signers: CryptoSigner) -> Metadata:
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)
    return md


def write(md: Metadata, path: str) -> bytes:
    data = md.to_bytes(JSONSerializer(compact=False))
    with open(path, "wb") as f:
        f.write(data)
    return data


def repository(out: str) -> None:
    metadata_dir = os.path.join(out, "metadata")
    variants_dir = os.path.join(out, "variants")
    os.makedirs(metadata_dir)
    os.makedirs(variants_dir)

    root_a, root_b, root_c = CryptoSigner.generate_ed25519(), CryptoSigner.generate_ecdsa(), CryptoSigner.generate_rsa(size=2048)
    timestamp_1, timestamp_2 = CryptoSigner.generate_ecdsa(), CryptoSigner.generate_ed25519()
    snapshot_key = CryptoSigner.generate_rsa(size=2048)
    targets_key = CryptoSigner.generate_ed25519()
    releases_key = legacy_ecdsa()
    data_key = CryptoSigner.generate_ed25519()
    bins_key = CryptoSigner.generate_rsa(size=2048)

    # Root 1: one root key. Root 2: two root keys, threshold 2. Root 3: root_a replaced by root_c,
    # timestamp key rotated. Each new root is signed by the old root's threshold and its own.
    root = Metadata(Root(expires=FUTURE, consistent_snapshot=True))
    root.signed.add_key(root_a.public_key, "root")
    root.signed.add_key(timestamp_1.public_key, "timestamp")
    root.signed.add_key(snapshot_key.public_key, "snapshot")
    root.signed.add_key(targets_key.public_key, "targets")
    write(sign(root, root_a), os.path.join(metadata_dir, "1.root.json"))

    root.signed.version = 2
    root.signed.add_key(root_b.public_key, "root")
    root.signed.roles["root"].threshold = 2
    write(sign(root, root_a, root_b), os.path.join(metadata_dir, "2.root.json"))

    root.signed.version = 3
    root.signed.revoke_key(root_a.public_key.keyid, "root")
    root.signed.add_key(root_c.public_key, "root")
    root.signed.revoke_key(timestamp_1.public_key.keyid, "timestamp")
    root.signed.add_key(timestamp_2.public_key, "timestamp")
    write(sign(root, root_a, root_b, root_c), os.path.join(metadata_dir, "3.root.json"))

    # A root 4 signed by only one of root 3's two required keys.
    root.signed.version = 4
    write(sign(root, root_b), os.path.join(variants_dir, "undersigned.4.root.json"))

    # Delegations: targets -> releases (app/*/*), targets -> data (data/*) -> 8 succinct hash bins.
    app_one, app_two, blob = b"release one\n", b"release two\n", b"data blob\n"
    targets = Metadata(Targets(expires=FUTURE))
    targets.signed.targets["app/1.0.0/app.tar.gz"] = TargetFile.from_data(
        "app/1.0.0/app.tar.gz", app_one, ["sha256", "sha512"])
    targets.signed.targets["app/1.0.0/app.tar.gz"].unrecognized_fields["custom"] = {
        "ota": {"version": "1.0.0", "platform": "any", "channels": ["stable"]}}
    targets.signed.unrecognized_fields["x-publisher"] = {"note": "unknown fields are signed too", "ünïcode": "✓"}
    targets.signed.delegations = Delegations(keys={}, roles={})
    releases_role = DelegatedRole("releases", [], 1, False, paths=["app/*/*"])
    data_role = DelegatedRole("data", [], 1, True, paths=["data/*"])
    targets.signed.delegations.roles["releases"] = releases_role
    targets.signed.delegations.roles["data"] = data_role
    targets.signed.add_key(releases_key.public_key, "releases")
    targets.signed.add_key(data_key.public_key, "data")

    releases = Metadata(Targets(expires=FUTURE))
    releases.signed.targets["app/2.0.0/app.tar.gz"] = TargetFile.from_data("app/2.0.0/app.tar.gz", app_two)

    data = Metadata(Targets(expires=FUTURE))
    succinct = SuccinctRoles([], 1, 3, "bin")
    data.signed.delegations = Delegations(keys={}, roles=None, succinct_roles=succinct)
    data.signed.add_key(bins_key.public_key)
    blob_bin = succinct.get_role_for_target("data/blob.bin")
    bins = {}
    for name in succinct.get_roles():
        bins[name] = Metadata(Targets(expires=FUTURE))
    bins[blob_bin].signed.targets["data/blob.bin"] = TargetFile.from_data("data/blob.bin", blob)

    for path, content in [("app/1.0.0/app.tar.gz", app_one), ("app/2.0.0/app.tar.gz", app_two), ("data/blob.bin", blob)]:
        os.makedirs(os.path.dirname(os.path.join(out, "targets", path)), exist_ok=True)
        with open(os.path.join(out, "targets", path), "wb") as f:
            f.write(content)

    snapshot = Metadata(Snapshot(expires=FUTURE))
    delegated = [("targets", targets, targets_key), ("releases", releases, releases_key), ("data", data, data_key)]
    delegated += [(name, md, bins_key) for name, md in bins.items()]
    for name, md, signer in delegated:
        written = write(sign(md, signer), os.path.join(metadata_dir, f"1.{name}.json"))
        # Length and hashes for targets.json only: both are optional in snapshot entries.
        snapshot.signed.meta[f"{name}.json"] = MetaFile.from_data(1, written, ["sha256"]) if name == "targets" else MetaFile(1)
        if name == "targets":
            # The same targets, re-serialised: a valid signature, but not the bytes the snapshot hashes.
            with open(os.path.join(variants_dir, "reserialised.1.targets.json"), "wb") as f:
                f.write(md.to_bytes(JSONSerializer(compact=True)))
    snapshot_data = write(sign(snapshot, snapshot_key), os.path.join(metadata_dir, "1.snapshot.json"))

    def timestamp(version: int, expires: datetime, signer: CryptoSigner) -> Metadata:
        md = Metadata(Timestamp(version=version, expires=expires))
        md.signed.snapshot_meta = MetaFile.from_data(1, snapshot_data, ["sha256"])
        return sign(md, signer)

    write(timestamp(2, FUTURE, timestamp_2), os.path.join(metadata_dir, "timestamp.json"))
    write(timestamp(1, FUTURE, timestamp_2), os.path.join(variants_dir, "rolledback.timestamp.json"))
    write(timestamp(3, PAST, timestamp_2), os.path.join(variants_dir, "expired.timestamp.json"))
    # Signed with the rotated-out timestamp key of root 1, under that key's id.
    write(timestamp(3, FUTURE, timestamp_1), os.path.join(variants_dir, "forged.timestamp.json"))

    expected = {
        "root_version": 3,
        "timestamp_version": 2,
        "snapshot_version": 1,
        "targets": {
            "app/1.0.0/app.tar.gz": {"role": "targets", "length": len(app_one),
                                     "sha256": targets.signed.targets["app/1.0.0/app.tar.gz"].hashes["sha256"],
                                     "custom": {"ota": {"version": "1.0.0", "platform": "any", "channels": ["stable"]}}},
            "app/2.0.0/app.tar.gz": {"role": "releases", "length": len(app_two),
                                     "sha256": releases.signed.targets["app/2.0.0/app.tar.gz"].hashes["sha256"]},
            "data/blob.bin": {"role": blob_bin, "length": len(blob),
                              "sha256": bins[blob_bin].signed.targets["data/blob.bin"].hashes["sha256"]},
        },
        "missing": ["app/3.0.0/app.tar.gz", "data/other.bin", "elsewhere.txt"],
        "key_types": sorted({key.keytype for key in root.signed.keys.values()}
                            | {key.keytype for key in targets.signed.delegations.keys.values()}
                            | {key.keytype for key in data.signed.delegations.keys.values()}),
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "canonical":
        canonical()
    elif len(sys.argv) == 3 and sys.argv[1] == "repository":
        repository(sys.argv[2])
    else:
        sys.exit(__doc__)
