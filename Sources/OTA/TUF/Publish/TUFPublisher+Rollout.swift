import Foundation

/// A change to a release's staged rollout (`ota publish rollout`).
public enum TUFRolloutChange: Sendable, Equatable {
    /// A fixed share of devices, 0–100 (ends any ramp).
    case percent(Int)
    /// A linear ramp from 0 % at `start` (default: now) to 100 % `hours` later, capped at `percent`.
    case ramp(hours: Int, start: Date? = nil, percent: Int = 100)
    /// No device is offered the release any more.
    case halt
    /// Ends a halt: the percent or ramp applies again.
    case resume
}

/// One published release for one platform, as `ota publish status` shows it.
public struct TUFReleaseStatus: Sendable, Equatable {
    /// `custom.ota` of the release's targets.
    public let info: TUFReleaseInfo
    /// The target paths of the release for this platform.
    public let targets: [String]

    /// The share of devices its rollout offers it to at `now`, 0–100: 0 when yanked or halted.
    public func effectivePercent(at now: Date) -> Double {
        info.yanked ? 0 : info.rollout?.effectivePercent(at: now) ?? 100
    }

    /// Which of `deviceIDs` its rollout reaches at `now`: the rule devices apply (``TUFReleaseInfo/reaches(deviceID:at:)``).
    public func reached(_ deviceIDs: [String], at now: Date) -> [String] {
        deviceIDs.filter { info.reaches(deviceID: $0, at: now) }
    }
}

extension TUFPublisher {
    /// Changes the rollout of every target of `version` (all platforms).
    /// - Throws: for a percent outside 0–100 or a ramp outside 1–87600 hours (the error names the option),
    ///   or a version that is not published; nothing is changed then.
    public func rollout(version text: String, _ change: TUFRolloutChange) throws(TUFPublishError) {
        switch change {
        case .percent(let percent): try Self.checkPercent(percent, option: "--percent")
        case .ramp(let hours, _, let percent):
            guard (1...87_600).contains(hours) else {
                throw TUFPublishError(.invalidInput, "The ramp of \(hours) hours (--ramp) is not between 1 and 87600; pass the whole number of hours until the release reaches every device.")
            }
            try Self.checkPercent(percent, option: "--percent")
        case .halt, .resume: break
        }
        let time = timeNow()
        try updateReleases(version: text) { info in
            var rollout = info.rollout ?? TUFRollout(id: info.version, percent: 100)
            switch change {
            case .percent(let percent):
                rollout.percent = percent
                rollout.start = nil
                rollout.rampHours = nil
            case .ramp(let hours, let start, let percent):
                rollout.percent = percent
                rollout.start = start.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) } ?? time
                rollout.rampHours = hours
            case .halt: rollout.halted = true
            case .resume: rollout.halted = false
            }
            info.rollout = rollout
        }
    }

    /// Marks every target of `version` yanked: devices running it move to the newest release that is not.
    /// - Returns: `false` when it was yanked already (nothing is re-signed).
    @discardableResult
    public func yank(version text: String) throws(TUFPublishError) -> Bool {
        try updateReleases(version: text) { $0.yanked = true }
    }

    /// Applies `edit` to `custom.ota` of every target of `version` and re-signs when anything changed.
    @discardableResult
    private func updateReleases(version text: String, _ edit: (inout TUFReleaseInfo) -> Void) throws(TUFPublishError) -> Bool {
        let version = try Self.semanticVersion(text)
        let keys = try signingKeys()
        var state = try loadState()
        var changed = false, found = false
        for (path, target) in state.targets {
            guard var info = target.release, SemanticVersion(info.version) == version else { continue }
            found = true
            let before = info
            edit(&info)
            if info != before {
                state.targets[path] = target.with(info)
                changed = true
            }
        }
        guard found else {
            throw TUFPublishError(.release, "Version \(version) is not published in \(layout.path); see `ota publish status` for the published versions.")
        }
        if changed { try publish(&state, keys: keys, targetsChanged: true) }
        return changed
    }

    /// Every published release, newest version first, one entry per platform.
    public func status() throws(TUFPublishError) -> [TUFReleaseStatus] {
        let state = try loadState()
        var groups: [String: (info: TUFReleaseInfo, targets: [String])] = [:]
        for target in state.targets.values {
            guard let info = target.release else { continue }
            let key = "\(info.version)\u{0}\(info.platform)"
            groups[key, default: (info, [])].targets.append(target.path)
        }
        return groups.values.map { TUFReleaseStatus(info: $0.info, targets: $0.targets.sorted()) }.sorted { lhs, rhs in
            let left = SemanticVersion(lhs.info.version), right = SemanticVersion(rhs.info.version)
            if let left, let right, left != right { return left > right }
            return (lhs.info.version, lhs.info.platform) < (rhs.info.version, rhs.info.platform)
        }
    }

    /// When each top-level role's current metadata expires.
    public func expiries() throws(TUFPublishError) -> [(role: TUFTopLevelRole, version: Int, expires: Date)] {
        let state = try loadState()
        return [(.root, state.root.version, state.root.expires), (.targets, state.targetsVersion, state.targetsExpires),
                (.snapshot, state.snapshotVersion, state.snapshotExpires), (.timestamp, state.timestampVersion, state.timestampExpires)]
    }
}
