#!/usr/bin/env python3
"""python-tuf's client and an S3 upload, for the `ota publish` interoperability tests
(Tests/OTAIntegrationTests/TUFPublish, Tests/OTACommandTests).

  tuf-ngclient.py download --root FILE --client-dir DIR --metadata-url URL --targets-url URL [TARGET...]
      Refreshes with python-tuf's ngclient.Updater (trusted metadata kept in DIR/metadata, so a later
      call continues from it, as a device does; FILE seeds it the first time), looks each TARGET up
      and downloads it into DIR/targets. Prints JSON: {"root_version", "timestamp_version",
      "targets": {TARGET: {"custom", "length", "sha256", "file"} or null}}. Exit 1 with the error on stderr.

  tuf-ngclient.py s3-upload --endpoint URL --bucket NAME DIR
      Creates the bucket (moto_server or any S3 API) and uploads every file under DIR at its relative
      path, readable anonymously.

Needs PyPI `tuf` (7.x), and `boto3` for s3-upload.
"""

import argparse
import hashlib
import json
import os
import sys


def download(args: argparse.Namespace) -> None:
    from tuf.ngclient import Updater

    metadata_dir = os.path.join(args.client_dir, "metadata")
    target_dir = os.path.join(args.client_dir, "targets")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(target_dir, exist_ok=True)
    bootstrap = None
    if not os.path.exists(os.path.join(metadata_dir, "root.json")):
        with open(args.root, "rb") as f:
            bootstrap = f.read()
    updater = Updater(
        metadata_dir=metadata_dir,
        metadata_base_url=args.metadata_url,
        target_dir=target_dir,
        target_base_url=args.targets_url,
        bootstrap=bootstrap,
    )
    updater.refresh()
    result = {
        "root_version": updater._trusted_set.root.version,
        "timestamp_version": updater._trusted_set.timestamp.version,
        "targets": {},
    }
    for name in args.targets:
        info = updater.get_targetinfo(name)
        if info is None:
            result["targets"][name] = None
            continue
        path = updater.download_target(info, os.path.join(target_dir, name.replace("/", "_")))
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        result["targets"][name] = {"custom": info.custom, "length": info.length, "sha256": digest, "file": path}
    json.dump(result, sys.stdout)


def s3_upload(args: argparse.Namespace) -> None:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=args.endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    existing = [bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])]
    if args.bucket not in existing:
        s3.create_bucket(Bucket=args.bucket, ACL="public-read")
    for directory, _, files in os.walk(args.directory):
        for name in files:
            path = os.path.join(directory, name)
            key = os.path.relpath(path, args.directory)
            # Devices read anonymously, as from a public bucket or a CDN in front of it.
            s3.upload_file(path, args.bucket, key, ExtraArgs={"ACL": "public-read"})


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    get = commands.add_parser("download")
    get.add_argument("--root", required=True)
    get.add_argument("--client-dir", required=True)
    get.add_argument("--metadata-url", required=True)
    get.add_argument("--targets-url", required=True)
    get.add_argument("targets", nargs="*")
    upload = commands.add_parser("s3-upload")
    upload.add_argument("--endpoint", required=True)
    upload.add_argument("--bucket", required=True)
    upload.add_argument("directory")
    args = parser.parse_args()
    try:
        download(args) if args.command == "download" else s3_upload(args)
    except Exception as error:  # noqa: BLE001 - the test reads the message
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
