import Foundation
import Testing
@testable import OTA

/// The selector's two overrides: a yanked installed version moves the device off it; a pin installs that version only.
@Suite("Release selection: yanks and pins")
struct YankAndPinSelectionTests {
    static func release(_ version: String, _ withheld: ReleaseWithholding? = nil, draft: Bool = false) -> Release {
        Release(tag: version, version: SemanticVersion(version)!, isDraft: draft, withheld: withheld)
    }

    static let v1_0 = SemanticVersion(1, 0, 0), v1_1 = SemanticVersion(1, 1, 0), v1_2 = SemanticVersion(1, 2, 0)

    @Test("withheld releases are never offered: yanked, halted, outside the rollout, another channel")
    func withheldNotOffered() {
        let releases = [Self.release("1.4.0", .otherChannel), Self.release("1.3.0", .outsideRollout(effectivePercent: 20)),
                        Self.release("1.2.0", .halted), Self.release("1.1.0", .yanked), Self.release("1.0.1")]
        #expect(ReleaseSelector().check(releases, current: Self.v1_0).availableRelease?.version == SemanticVersion(1, 0, 1))
        #expect(ReleaseSelector().check(releases, current: SemanticVersion(1, 0, 1)) == .upToDate(current: SemanticVersion(1, 0, 1), latest: releases[4]))
    }

    @Test("running a yanked version: the newest offered release is available even when older and below the floor")
    func yankedMovesOff() {
        let releases = [Self.release("1.3.0", .halted), Self.release("1.2.0", .yanked), Self.release("1.1.0"), Self.release("1.0.0")]
        let check = ReleaseSelector().check(releases, current: Self.v1_2, floor: Self.v1_2)
        #expect(check == .available(current: Self.v1_2, release: releases[2]))
        // Not yanked, the same older release is refused by the floor and by "strictly newer".
        var unyanked = releases
        unyanked[1].withheld = nil
        #expect(ReleaseSelector().check(unyanked, current: Self.v1_2, floor: Self.v1_2).availableRelease == nil)
    }

    @Test("running a yanked version with nothing else offered: up to date")
    func yankedNothingElse() {
        let releases = [Self.release("1.2.0", .yanked), Self.release("1.1.0", .outsideRollout(effectivePercent: 0))]
        #expect(ReleaseSelector().check(releases, current: Self.v1_2) == .upToDate(current: Self.v1_2, latest: nil))
    }

    @Test("a yanked floor is no floor: after moving off 1.2.0 to 1.1.0, 1.1.1 is offered")
    func yankedFloor() {
        let releases = [Self.release("1.2.0", .yanked), Self.release("1.1.1"), Self.release("1.1.0")]
        #expect(ReleaseSelector().check(releases, current: Self.v1_1, floor: Self.v1_2).availableRelease?.version == SemanticVersion(1, 1, 1))
        var unyanked = releases
        unyanked[0].withheld = nil
        #expect(ReleaseSelector().check(unyanked, current: Self.v1_1, floor: Self.v1_2).availableRelease?.version == Self.v1_2)
        #expect(ReleaseSelector().check(Array(unyanked.dropFirst()), current: Self.v1_1, floor: Self.v1_2).availableRelease == nil)
    }

    @Test("--version of a yanked release needs --force; one withheld by its rollout, channel or a halt is installed")
    func explicitVersion() throws {
        let releases = [Self.release("1.2.0", .yanked), Self.release("1.1.0", .halted), Self.release("1.0.5", .outsideRollout(effectivePercent: 5))]
        let error = #expect(throws: SelectionError.self) { try ReleaseSelector().release(Self.v1_2, in: releases, current: Self.v1_0) }
        #expect(error?.message == "1.2.0 was yanked by its publisher; pass --force to install it anyway")
        #expect(try ReleaseSelector().release(Self.v1_2, in: releases, current: Self.v1_0, force: true).version == Self.v1_2)
        #expect(try ReleaseSelector().release(Self.v1_1, in: releases, current: Self.v1_0).version == Self.v1_1)
        #expect(try ReleaseSelector().release(SemanticVersion(1, 0, 5), in: releases, current: Self.v1_0).version == SemanticVersion(1, 0, 5))
    }

    @Test("pinned: at the pin is up to date; otherwise the pinned release, older, withheld or below the floor included")
    func pinned() throws {
        let releases = [Self.release("1.3.0"), Self.release("1.2.0", .yanked), Self.release("1.1.0", .outsideRollout(effectivePercent: 0)),
                        Self.release("1.0.0")]
        let selector = ReleaseSelector()
        #expect(try selector.check(releases, current: Self.v1_1, pinned: Self.v1_1) == .upToDate(current: Self.v1_1, latest: releases[2]))
        #expect(try selector.check(releases, current: SemanticVersion(1, 3, 0), pinned: Self.v1_1) == .available(current: SemanticVersion(1, 3, 0), release: releases[2]))
        #expect(try selector.check(releases, current: Self.v1_0, pinned: Self.v1_2).availableRelease?.version == Self.v1_2)
        #expect(throws: SelectionError.self, "a draft is never the pinned release") {
            try selector.check([Self.release("2.0.0", draft: true)], current: Self.v1_0, pinned: SemanticVersion(2, 0, 0))
        }
    }

    @Test("a pin that names no published release is an error naming pinned_version; at an unpublished pin the device is up to date")
    func pinnedMissing() throws {
        let releases = [Self.release("1.1.0"), Self.release("1.0.0")]
        let error = #expect(throws: SelectionError.self) { try ReleaseSelector().check(releases, current: Self.v1_0, pinned: SemanticVersion(1, 9, 0)) }
        #expect(error?.message == "pinned_version 1.9.0 is not a release published for this device (newest: 1.1.0, 1.0.0); pin a published version with `ota pin VERSION`, or follow new releases again with `ota unpin`")
        #expect(try ReleaseSelector().check([], current: Self.v1_0, pinned: Self.v1_0) == .upToDate(current: Self.v1_0, latest: nil))
    }
}
