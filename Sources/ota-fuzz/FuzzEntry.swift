import OTA
import OTAFuzz
#if canImport(Glibc)
import Glibc
#endif

// Built two ways:
// - by `scripts/fuzz` with `--sanitize=fuzzer --sanitize=address -Xswiftc -DOTA_FUZZ`: libFuzzer's
//   entry points; the harness is chosen by the environment variable OTA_FUZZ_HARNESS;
// - normally: `ota-fuzz HARNESS FILE...` replays inputs (a crash file, a corpus) through a harness
//   and prints the invariants they break.

private func printError(_ line: String) {
    try? Syscall.writeAll(2, Array((line + "\n").utf8), "write to standard error")
}

#if OTA_FUZZ
nonisolated(unsafe) private var selectedHarness: FuzzHarness?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = getenv("OTA_FUZZ_HARNESS").map { String(cString: $0) } ?? ""
    guard let harness = FuzzHarness(rawValue: name) else {
        let names = FuzzHarness.allCases.map(\.rawValue).joined(separator: ", ")
        printError("ota-fuzz: set OTA_FUZZ_HARNESS to one of: \(names)")
        exit(64)
    }
    selectedHarness = harness
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let violations = selectedHarness!.run(input).violations
    if !violations.isEmpty {
        fatalError("invariant broken (\(selectedHarness!.rawValue)): " + violations.joined(separator: "; "))
    }
    return 0
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let harness = FuzzHarness(rawValue: name), arguments.count > 1 else {
            let names = FuzzHarness.allCases.map(\.rawValue).joined(separator: "|")
            printError("usage: ota-fuzz \(names) FILE...   (replays inputs; scripts/fuzz builds the fuzzer)")
            exit(64)
        }
        var broken = 0
        for path in arguments.dropFirst() {
            guard let bytes = readFile(path) else { printError("ota-fuzz: cannot read \(path)"); exit(66) }
            let result = harness.run(bytes)
            let verdict = result.accepted ? "accepted" : "rejected" + (result.rejection.map { " (\($0))" } ?? "")
            print("\(path): \(verdict)" + (result.violations.isEmpty ? "" : ", BROKEN: " + result.violations.joined(separator: "; ")))
            if !result.violations.isEmpty { broken += 1 }
        }
        exit(broken == 0 ? 0 : 1)
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}
#endif
