import OTA

extension DemoCommand {
    /// Shows an inhibit holding an install back: `ota update` downloads and verifies, then installs
    /// nothing and says why; once released, the update goes through.
    static func showInhibit(_ updater: OTAUpdater, configuration: OTAConfiguration) async throws {
        let inhibits = InhibitStore(directory: StateDirectory(installation: configuration.installation))
        let inhibit = try inhibits.add(reason: "kiosk in use", seconds: 900)
        print("    first with an inhibit in place (ota inhibit --reason \"kiosk in use\" --for 15m): id \(inhibit.id)")
        do {
            _ = try await updater.update()
            print("    unexpected: the update was installed while inhibited")
        } catch let held as InstallHeldError {
            print("    ota update exits 1: \(held.message)")
        }
        try inhibits.release(id: inhibit.id)
        print("    released (ota inhibit --release \(inhibit.id)); the agent, which waits instead of refusing, would install now. Again:")
    }
}
