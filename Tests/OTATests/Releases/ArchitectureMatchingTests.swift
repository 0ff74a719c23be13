import Testing
@testable import OTA

/// `{arch}` matches whole tokens only, and an asset for another architecture is never chosen.
@Suite("Architecture matching")
struct ArchitectureMatchingTests {
    static func release(_ names: [String]) -> Release {
        ReleaseSelectorTests.release("v1.2.0", assets: names)
    }

    static let mixed = [
        "app-1.2.0-linux-x86_64.tar.gz", "app-1.2.0-linux-aarch64.tar.gz", "app-1.2.0-linux-armv7.tar.gz",
    ]

    @Test("the chosen asset for each machine, pattern and asset list", arguments: [
        // (machine, pattern, assets, chosen or nil)
        ("i686", "app-*-{arch}*", ["app-1.2.0-linux-x86_64.tar.gz"], nil),
        ("i686", "app-*-{arch}*", ["app-1.2.0-linux-x86_64.tar.gz", "app-1.2.0-linux-x86.tar.gz"], "app-1.2.0-linux-x86.tar.gz"),
        ("i686", "app-{version}-linux-{arch}.tar.gz", ["app-1.2.0-linux-x86_64.tar.gz", "app-1.2.0-linux-386.tar.gz"], "app-1.2.0-linux-386.tar.gz"),
        ("i686", "*{arch}*", ["app_x86_64v2.tar.gz"], nil),
        ("armv7l", "app-*-{arch}.tar.gz", ["app-1.2.0-linux-arm64.tar.gz"], nil),
        ("armv7l", "app-*-{arch}*", ["app-1.2.0-linux-arm64.tar.gz", "app-1.2.0-linux-aarch64.tar.gz"], nil),
        ("armv7l", "app-*-{arch}*", ["app-1.2.0-linux-arm64.tar.gz", "app-1.2.0-linux-arm.tar.gz"], "app-1.2.0-linux-arm.tar.gz"),
        ("armv7l", "app-*-{arch}*", ["app-1.2.0-linux-armhf.tar.gz"], "app-1.2.0-linux-armhf.tar.gz"),
        ("armv6l", "app-*-{arch}*", ["app-1.2.0-linux-armv7.tar.gz", "app-1.2.0-linux-armv6.tar.gz"], "app-1.2.0-linux-armv6.tar.gz"),
        ("x86_64", "app-*-{arch}*", ["app-1.2.0-linux-x86.tar.gz", "app-1.2.0-linux-amd64.tar.gz"], "app-1.2.0-linux-amd64.tar.gz"),
        ("x86_64", "app_{os}_{arch}.tar.gz", ["app_linux_arm64.tar.gz", "app_linux_x86_64.tar.gz"], "app_linux_x86_64.tar.gz"),
        ("x86_64", "App-{os}-{arch}.tar.gz", ["App-linux-X86_64.tar.gz"], "App-linux-X86_64.tar.gz"),
        ("aarch64", "app-*-{arch}*", ["app-1.2.0-linux-arm.tar.gz", "app-1.2.0-linux-arm64.tar.gz"], "app-1.2.0-linux-arm64.tar.gz"),
        ("aarch64", "app-*{arch}*", ["app-1.2.0-linux-arm64e.tar.gz"], nil),
        // Without {arch}, a glob never stands for another architecture's name.
        ("aarch64", "app-*.tar.gz", mixed, "app-1.2.0-linux-aarch64.tar.gz"),
        ("riscv64", "app-*.tar.gz", mixed, nil),
        ("riscv64", "app-*.tar.gz", mixed + ["app-1.2.0-noarch.tar.gz"], "app-1.2.0-noarch.tar.gz"),
        // Even when the pattern names another architecture outright.
        ("aarch64", "app-*-x86_64.tar.gz", mixed, nil),
        // A word that merely starts like an architecture is not one.
        ("x86_64", "*.tar.gz", ["armadillo-1.2.0.tar.gz"], "armadillo-1.2.0.tar.gz"),
    ] as [(String, String, [String], String?)])
    func chooses(_ machine: String, _ pattern: String, _ assets: [String], _ chosen: String?) throws {
        let selection = Result { () throws(SelectionError) in
            try AssetPattern(pattern: pattern, arch: machine).artifact(for: Self.release(assets), repository: "o/app").fileName
        }
        switch (selection, chosen) {
        case (.success(let name), let expected?): #expect(name == expected)
        case (.failure(let error), nil): #expect(error.code == .noMatchingAsset)
        case (.success(let name), nil): Issue.record("\(machine) chose \(name) for \(pattern)")
        case (.failure(let error), let expected?): Issue.record("\(machine) chose nothing instead of \(expected): \(error.message)")
        }
    }

    @Test("architecture tokens are whole and the longest known name wins", arguments: [
        ("app-x86_64.tar.gz", ["x86_64"]), ("app-x86.tar.gz", ["x86"]), ("arm64-and-arm", ["arm64", "arm"]),
        ("app-armhf", ["armhf"]), ("app_x86_64v2", []), ("i386", ["i386"]), ("Linux-AMD64.zip", ["amd64"]),
        ("app-2.386.0", []), ("app.386.bin", ["386"]), ("app-386.1", []), ("app_linux_386.tar.gz", ["386"]), ("armadillo", []), ("", []),
    ])
    func tokens(_ name: String, _ expected: [String]) {
        #expect(ArchitectureNames.tokens(in: name).map(\.name) == expected)
    }
}
