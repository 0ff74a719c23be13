# Shell functions shared by scripts/bench-download and scripts/bench-update (source it, don't run it).
#
#   bench_build            builds ota and the test bundle (release, -enable-testing, like bench-extract);
#                          sets $ota_bin (or takes $OTA_BIN) and $test_bundle
#   bench_start_mirror R L starts `ota serve --root R --port 0` logging to L; sets $mirror_url, $mirror_pid
#   bench_stop_mirror      stops it (call from the EXIT trap too)
#   bench_start_tuf_server R L  starts `ota serve --tuf R --port 0` logging to L; sets $tuf_url, $tuf_server_pid
#   bench_stop_tuf_server  stops it
#   median                 median of the numbers on stdin, one a line
#   now                    wall-clock seconds with nanoseconds
#   ratio A B              A / B with two decimals

bench_build() {
    if [ -z "${OTA_BIN:-}" ] || [ "${1:-}" = tests ]; then
        # One configuration for all the benchmark scripts, so they share the build products.
        swift build -c release -Xswiftc -enable-testing --build-tests >&2
    fi
    local bin
    bin="$(swift build -c release --show-bin-path)"
    ota_bin="${OTA_BIN:-$bin/ota}"
    test_bundle="$bin/swift-otaPackageTests.xctest"
}

bench_start_mirror() {
    local root="$1" log="$2"
    "$ota_bin" serve --root "$root" --port 0 > "$log" 2>&1 &
    mirror_pid=$!
    for _ in $(seq 200); do
        grep -q '^github_api_url: ' "$log" && break
        kill -0 "$mirror_pid" 2>/dev/null || { cat "$log" >&2; echo "ota serve did not start" >&2; return 1; }
        sleep 0.05
    done
    mirror_url="$(sed -n 's/^github_api_url: //p' "$log")"
    [ -n "$mirror_url" ] || { echo "ota serve printed no github_api_url" >&2; return 1; }
}

bench_stop_mirror() {
    if [ -n "${mirror_pid:-}" ]; then
        kill "$mirror_pid" 2>/dev/null || true
        wait "$mirror_pid" 2>/dev/null || true
        mirror_pid=""
    fi
}

bench_start_tuf_server() {
    local root="$1" log="$2"
    "$ota_bin" serve --tuf "$root" --port 0 > "$log" 2>&1 &
    tuf_server_pid=$!
    for _ in $(seq 200); do
        grep -q '^tuf_url: ' "$log" && break
        kill -0 "$tuf_server_pid" 2>/dev/null || { cat "$log" >&2; echo "ota serve --tuf did not start" >&2; return 1; }
        sleep 0.05
    done
    tuf_url="$(sed -n 's/^tuf_url: //p' "$log")"
    [ -n "$tuf_url" ] || { echo "ota serve --tuf printed no tuf_url" >&2; return 1; }
}

bench_stop_tuf_server() {
    if [ -n "${tuf_server_pid:-}" ]; then
        kill "$tuf_server_pid" 2>/dev/null || true
        wait "$tuf_server_pid" 2>/dev/null || true
        tuf_server_pid=""
    fi
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

now() { date +%s.%N; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# bench_run_measured OUT CMD...: runs CMD under /usr/bin/time (stdout+stderr to OUT.log) and writes
# "<VmHWM KiB> <peak RssAnon KiB>" to OUT. VmHWM (exact, from time's %M) counts the resident code of the
# binary and of the Swift/Foundation libraries too; RssAnon, the process's own heap and stacks, is
# sampled from /proc every 20 ms (bash built-ins only, so sampling costs little). Returns CMD's status.
bench_run_measured() {
    local out="$1" pid child="" status anon=0 key value _
    shift
    /usr/bin/time -f '%M' -o "$out.hwm" "$@" > "$out.log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        [ -n "$child" ] || child="$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)"
        if [ -n "$child" ]; then
            while read -r key value _; do
                [ "$key" = RssAnon: ] && [ "$value" -gt "$anon" ] && anon=$value
            done 2>/dev/null < "/proc/${child%% *}/status" || true
        fi
        sleep 0.02
    done
    status=0; wait "$pid" || status=$?
    echo "$(tail -1 "$out.hwm") $anon" > "$out"
    return "$status"
}
