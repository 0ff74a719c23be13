/// Why a published release is not offered to this device.
///
/// A source that knows (a signed TUF catalog) reports the releases it withholds too, marked with the reason:
/// ``ReleaseSelector`` never offers them, but recognises a yanked installed version (and moves the device
/// off it), and a pin or `--version` may still name a withheld release.
public enum ReleaseWithholding: Sendable, Hashable, CustomStringConvertible {
    /// Withdrawn by its publisher: devices running it move to the newest release that is not.
    case yanked
    /// Not published on the device's channel.
    case otherChannel
    /// Its rollout is halted: no device is offered it; devices that installed it keep it.
    case halted
    /// The device's rollout bucket is outside the rollout's effective percent (0–100) now.
    case outsideRollout(effectivePercent: Double)

    public var description: String {
        switch self {
        case .yanked: "yanked by its publisher"
        case .otherChannel: "not on this device's channel"
        case .halted: "its rollout is halted"
        case .outsideRollout(let percent): "this device is outside its rollout (now \(RolloutPercent.text(percent)) of devices)"
        }
    }
}
