import Crypto
import Foundation
import Testing
@testable import OTA

@Suite("TUF delegations: search order, terminating, hash bins, bounds, re-verification")
struct TUFDelegationTests {
    let key = TUFTestKey.ed25519()
    let otherKey = TUFTestKey.p256()

    /// A repository whose top-level targets delegate to `roles` (built with `delegatedRole`), each
    /// role's metadata listing `files` and signed by `key`.
    func repository(roles: [TUFJSON], files: [String: [String: String]], delegations: [String: TUFJSON] = [:]) -> TUFTestRepository {
        var repository = TUFTestRepository()
        repository.targetFiles = [:]
        repository.delegations = TUFBuild.delegations(keys: [key, otherKey], roles: roles)
        for name in Set(files.keys).union(delegations.keys).sorted() {
            let targets = (files[name] ?? [:]).mapValues { Data($0.utf8) }
            repository.setDelegated(name, targets: targets, delegations: delegations[name], signers: [key])
        }
        return repository
    }

    /// Searches `path`, recording the roles loaded.
    func search(_ path: String, in repository: TUFTestRepository) throws -> (found: (target: TUFTargetFile, role: String)?, loaded: [String]) {
        var trust = try repository.refreshed()
        var loaded: [String] = []
        let found = try trust.findTarget(path) { role, _ in
            loaded.append(role)
            return try #require(repository.delegatedData(role))
        }
        return (found, loaded)
    }

    @Test("path patterns: * stays within a segment, ? and classes match one character")
    func pathPatterns() {
        #expect(TUFPathPattern.matches("app/1.2.0/app.tar.gz", pattern: "app/*/*"))
        #expect(!TUFPathPattern.matches("app/1.2.0/sub/app.tar.gz", pattern: "app/*/*"))
        #expect(!TUFPathPattern.matches("app/1.2.0", pattern: "app/*/*"))
        #expect(TUFPathPattern.matches("app/v1/x", pattern: "app/v?/[a-z]"))
        #expect(!TUFPathPattern.matches("app/v1/X", pattern: "app/v?/[a-z]"))
        #expect(TUFPathPattern.matches("app/v1/X", pattern: "app/v?/[!a-z]"))
        #expect(TUFPathPattern.matches("a[b", pattern: "a[b"))
        #expect(TUFPathPattern.matches("", pattern: "*"))
        #expect(TUFPathPattern.matches("abcabd", pattern: "*ab?"))
        #expect(!TUFPathPattern.matches("App/x", pattern: "app/*"))
    }

    @Test("a delegated role signs the targets its paths cover, and only those")
    func delegatedByPath() throws {
        let repository = repository(roles: [TUFBuild.delegatedRole("releases", keys: [key], paths: ["app/*/*"])],
                                    files: ["releases": ["app/2.0.0/app.tar.gz": "two", "other/x": "outside"]])
        let (found, loaded) = try search("app/2.0.0/app.tar.gz", in: repository)
        #expect(found?.role == "releases")
        #expect(found?.target.length == 3)
        #expect(loaded == ["releases"])
        let (outside, notLoaded) = try search("other/x", in: repository)
        #expect(outside == nil)
        #expect(notLoaded.isEmpty)
    }

    @Test("roles are searched preorder depth-first in listed order; the first that lists the target wins")
    func preorderDepthFirst() throws {
        let nested = TUFBuild.delegations(keys: [key], roles: [TUFBuild.delegatedRole("a-child", keys: [key], paths: ["*"])])
        let repository = repository(
            roles: [TUFBuild.delegatedRole("a", keys: [key], paths: ["*"]), TUFBuild.delegatedRole("b", keys: [key], paths: ["*"])],
            files: ["a": [:], "a-child": ["file": "from a-child"], "b": ["file": "from b"]],
            delegations: ["a": nested])
        let (found, loaded) = try search("file", in: repository)
        #expect(found?.role == "a-child")
        #expect(loaded == ["a", "a-child"])
        let (missing, all) = try search("absent", in: repository)
        #expect(missing == nil)
        #expect(all == ["a", "a-child", "b"])
    }

    @Test("a terminating role ends the search even when it does not list the target")
    func terminating() throws {
        let roles = [TUFBuild.delegatedRole("first", keys: [key], terminating: true, paths: ["app/*"]),
                     TUFBuild.delegatedRole("second", keys: [key], paths: ["app/*"])]
        let repository = repository(roles: roles, files: ["first": [:], "second": ["app/file": "second"]])
        let (found, loaded) = try search("app/file", in: repository)
        #expect(found == nil)
        #expect(loaded == ["first"])
        let open = self.repository(roles: [TUFBuild.delegatedRole("first", keys: [key], paths: ["app/*"]), roles[1]],
                                   files: ["first": [:], "second": ["app/file": "second"]])
        #expect(try search("app/file", in: open).found?.role == "second")
        // Reached deeper, a terminating role also drops the roles still waiting above it.
        let inner = TUFBuild.delegations(keys: [key], roles: [TUFBuild.delegatedRole("inner", keys: [key], terminating: true, paths: ["app/*"])])
        let nested = self.repository(roles: [TUFBuild.delegatedRole("outer", keys: [key], paths: ["app/*"]), roles[1]],
                                     files: ["outer": [:], "inner": [:], "second": ["app/file": "second"]], delegations: ["outer": inner])
        let (deep, deepLoaded) = try search("app/file", in: nested)
        #expect(deep == nil)
        #expect(deepLoaded == ["outer", "inner"])
    }

    @Test("path hash prefixes select roles by the SHA-256 of the target path")
    func pathHashPrefixes() throws {
        let path = "app/1.0.0/app.tar.gz"
        let hash = Hex.lowercase(SHA256.hash(data: Data(path.utf8)))
        let other = String(hash.first == "0" ? "1" : "0")
        let repository = repository(
            roles: [TUFBuild.delegatedRole("wrong-bin", keys: [key], hashPrefixes: [other]),
                    TUFBuild.delegatedRole("right-bin", keys: [key], hashPrefixes: [String(hash.prefix(2))])],
            files: ["wrong-bin": [path: "wrong"], "right-bin": [path: "right"]])
        let (found, loaded) = try search(path, in: repository)
        #expect(found?.role == "right-bin")
        #expect(loaded == ["right-bin"])
    }

    @Test("succinct hash bins: only the target's bin is read, and a bin listing a target of another bin does not count")
    func succinctBins() throws {
        var repository = TUFTestRepository()
        repository.targetFiles = [:]
        repository.delegations = TUFBuild.succinctDelegations(keys: [key], bitLength: 4, prefix: "bin")
        let bins = try TUFTargets(TUFBuild.envelope(TUFBuild.targets(version: 1, delegations: repository.delegations), signers: [key]), file: "t")
            .delegations!.succinctRoles!
        let path = "app/1.0.0/app.tar.gz"
        let bin = bins.role(for: path)
        // Python: int.from_bytes(sha256(path)[:4], "big") >> 28, as a hex digit.
        let hash = Array(SHA256.hash(data: Data(path.utf8)))
        #expect(bin == "bin-" + String(hash[0] >> 4, radix: 16))
        #expect(bins.isBin("bin-f") && !bins.isBin("bin-10") && !bins.isBin("bin-0f") && !bins.isBin("other-0"))
        for number in 0..<16 {
            let name = bins.binName(number)
            repository.setDelegated(name, targets: name == bin ? [path: Data("in bin".utf8)] : ["elsewhere/\(number)": Data("x".utf8), path: Data("wrong bin".utf8)], signers: [key])
        }
        let (found, loaded) = try search(path, in: repository)
        #expect(found?.role == bin)
        #expect(found?.target.length == 6)
        #expect(loaded == [bin])
    }

    @Test("at most maximumVisitedRoles roles are read; the answer says the search stopped at the bound")
    func visitBound() throws {
        var repository = TUFTestRepository()
        repository.targetFiles = [:]
        repository.delegations = TUFBuild.delegations(keys: [key], roles: [TUFBuild.delegatedRole("r0", keys: [key], paths: ["*"])])
        for index in 0..<40 {
            let next = TUFBuild.delegations(keys: [key], roles: [TUFBuild.delegatedRole("r\(index + 1)", keys: [key], paths: ["*"])])
            repository.setDelegated("r\(index)", targets: index == 39 ? ["deep": Data("deep".utf8)] : [:], delegations: next, signers: [key])
        }
        var trust = try repository.refreshed()
        var search = TUFTargetSearch(targetPath: "deep")
        var loads = 0
        while true {
            let step = try search.next(in: &trust)
            guard case .load(let role, let delegator, _) = step else {
                #expect(step == .notFound(stoppedAtLimit: true))
                break
            }
            loads += 1
            try trust.updateDelegatedTargets(repository.delegatedData(role)!, role: role, delegator: delegator)
        }
        #expect(loads == 31)
        var limits = TUFLimits()
        limits.maximumVisitedRoles = 41
        var wide = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now, limits: limits)
        try wide.updateTimestamp(repository.timestamp)
        try wide.updateSnapshot(repository.snapshot)
        #expect(try wide.findTarget("deep") { role, _ in role == "targets" ? repository.targets : repository.delegatedData(role)! }?.role == "r39")
    }

    @Test("a delegation cycle ends: each role is visited once")
    func cycle() throws {
        let back = TUFBuild.delegations(keys: [key], roles: [TUFBuild.delegatedRole("a", keys: [key], paths: ["*"])])
        let forth = TUFBuild.delegations(keys: [key], roles: [TUFBuild.delegatedRole("b", keys: [key], paths: ["*"])])
        let repository = repository(roles: [TUFBuild.delegatedRole("a", keys: [key], paths: ["*"])], files: [:],
                                    delegations: ["a": forth, "b": back])
        let (found, loaded) = try search("x", in: repository)
        #expect(found == nil)
        #expect(loaded == ["a", "b"])
    }
}
