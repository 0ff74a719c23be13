#!/usr/bin/env bash
# Measures `ota serve` memory while it serves large assets: peak RSS (VmHWM) must not grow with
# the asset size (files are streamed in 128 KiB chunks). Usage: scripts/mirror-memory.sh [sizes in MB...]
# Builds `ota` in release mode unless OTA_BIN points at a binary. Writes only under a temp directory.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(50 500); fi
bin=${OTA_BIN:-}
if [ -z "$bin" ]; then
    swift build -c release --product ota >&2
    bin=$(swift build -c release --show-bin-path)/ota
fi
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

printf '%-8s %-10s %-12s %-12s %-10s\n' size_MB http_code curl_MB/s sha_ok VmHWM_MB
for size in "${sizes[@]}"; do
    root="$work/root-$size"
    mkdir -p "$root/o/r/v1.0.0"
    head -c "$((size * 1024 * 1024))" /dev/urandom > "$root/o/r/v1.0.0/big.bin"
    expected=$(sha256sum "$root/o/r/v1.0.0/big.bin" | cut -d' ' -f1)
    "$bin" serve --root "$root" --port 0 > "$work/serve-$size.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do grep -q github_api_url "$work/serve-$size.log" && break; sleep 0.1; done
    url=$(sed -n 's/^github_api_url: //p' "$work/serve-$size.log")
    # Warm the digest cache (the JSON lists the asset's sha256), then download the bytes.
    curl -sf "$url/repos/o/r/releases" > /dev/null
    stats=$(curl -s -o "$work/out.bin" -w '%{http_code} %{speed_download}' "$url/o/r/releases/download/v1.0.0/big.bin")
    got=$(sha256sum "$work/out.bin" | cut -d' ' -f1)
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
    kill "$server"; wait "$server" 2>/dev/null || true
    set -- $stats
    printf '%-8s %-10s %-12.0f %-12s %-10.1f\n' "$size" "$1" "$(echo "$2 / 1048576" | bc -l)" \
        "$([ "$got" = "$expected" ] && echo yes || echo NO)" "$(echo "$hwm / 1024" | bc -l)"
    rm -f "$work/out.bin" "$root/o/r/v1.0.0/big.bin"
done
