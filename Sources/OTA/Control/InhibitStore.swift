#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The inhibits of a state folder: `state_dir/inhibits/<id>.json`, one file each (mode 0600, written
/// atomically), so two `ota inhibit` at once never lose one another's record.
///
/// Expired records count as absent; ``active(at:prune:)`` removes them when it may write.
///
/// ```swift
/// let store = InhibitStore(directory: StateDirectory(installation: config.installation))
/// let inhibit = try store.add(reason: "kiosk demo until 18:00", seconds: 7200)
/// try store.release(id: inhibit.id)
/// ```
public struct InhibitStore: Sendable {
    /// The state folder holding `inhibits/`.
    public let directory: StateDirectory

    public init(directory: StateDirectory) {
        self.directory = directory
    }

    /// Records a new inhibit; `seconds` (from ``InhibitDuration``) makes it expire, `nil` holds until released.
    @discardableResult
    public func add(reason: String?, seconds: Int?, now: Date = Date()) throws(InhibitError) -> Inhibit {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        var id = Self.newID()
        while (try? directory.read(Self.fileName(id), in: StateDirectory.Entry.inhibits)) != nil { id = Self.newID() }
        let inhibit = Inhibit(id: id, reason: reason?.isEmpty == false ? reason : nil, createdAt: now,
                              until: seconds.map { now.addingTimeInterval(TimeInterval($0)) })
        do { try directory.prepare() } catch { throw InhibitError(.storeFailed, error.message) }
        do throws(SystemError) {
            let data: Data
            do { data = try Journal.encoder.encode(inhibit) } catch { throw SystemError("encode the inhibit", errno: EINVAL) }
            try directory.write(Array(data), to: Self.fileName(id), in: StateDirectory.Entry.inhibits)
        } catch {
            throw InhibitError(.storeFailed, "cannot record the inhibit in \(directory.inhibitsPath): \(error.message)")
        }
        return inhibit
    }

    /// The inhibits active at `now`, oldest first. Expired ones are removed when `prune` is set (and the
    /// folder is writable); an unreadable record is skipped, but a folder that cannot be listed is an error.
    public func active(at now: Date = Date(), prune: Bool = true) throws(InhibitError) -> [Inhibit] {
        let names: [String]
        do { names = try directory.names(in: StateDirectory.Entry.inhibits) } catch {
            throw InhibitError(.storeFailed, "cannot read the inhibits in \(directory.inhibitsPath): \(error.message)")
        }
        var inhibits: [Inhibit] = []
        for name in names where name.hasSuffix(".json") {
            guard let bytes = try? directory.read(name, in: StateDirectory.Entry.inhibits, limit: 64 << 10),
                  let inhibit = try? Journal.decoder.decode(Inhibit.self, from: Data(bytes)),
                  name == Self.fileName(inhibit.id) else { continue }
            if inhibit.isActive(at: now) {
                inhibits.append(inhibit)
            } else if prune {
                try? directory.remove(name, in: StateDirectory.Entry.inhibits)
            }
        }
        return inhibits.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Releases the inhibit `id`, or every active one when `id` is `nil`; returns those released.
    /// - Throws: ``InhibitError/Code/unknownInhibit`` when `id` names no active inhibit.
    @discardableResult
    public func release(id: String?, now: Date = Date()) throws(InhibitError) -> [Inhibit] {
        let active = try active(at: now)
        let released = id.map { id in active.filter { $0.id == id } } ?? active
        if let id, released.isEmpty {
            let known = active.map(\.id).joined(separator: ", ")
            throw InhibitError(.unknownInhibit, "no active inhibit has the id '\(id)'" + (known.isEmpty ? "; nothing is inhibited" : "; active: \(known) (ota inhibit --list)"))
        }
        for inhibit in released {
            do { try directory.remove(Self.fileName(inhibit.id), in: StateDirectory.Entry.inhibits) } catch {
                throw InhibitError(.storeFailed, "cannot release inhibit \(inhibit.id): \(error.message)")
            }
        }
        return released
    }

    static func fileName(_ id: String) -> String { id + ".json" }

    static func newID() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
