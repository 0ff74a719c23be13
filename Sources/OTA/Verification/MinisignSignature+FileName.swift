/// The file name a signature's trusted comment vouches for.
extension MinisignSignature {
    /// The name after `file:` in the trusted comment, without any folder, or `nil` when it names none.
    ///
    /// minisign writes `timestamp:<seconds>⇥file:<name>⇥hashed` (tab-separated) unless `-t` replaces
    /// it; a comment without tabs is read as space-separated (`timestamp:1 file:<name> version:1.2.0`).
    public var signedFileName: String? {
        let separator: Character = trustedComment.contains("\t") ? "\t" : " "
        guard let part = trustedComment.split(separator: separator).first(where: { $0.hasPrefix("file:") }) else { return nil }
        let name = part.dropFirst("file:".count).split(separator: "/").last.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    /// Checks that the trusted comment names `fileName`; the error names both files.
    func requireSigned(_ fileName: String, signatureName: String) throws(VerificationError) {
        guard let signed = signedFileName else {
            throw VerificationError(.signedNameMissing, "The trusted comment of \(signatureName) ('\(trustedComment)') does not name the signed file, so nothing binds the signature to \(fileName); re-sign it with `ota sign` or `minisign -S` without -t, which write file:<name>.")
        }
        guard signed == fileName else {
            throw VerificationError(.signedNameMismatch, "\(signatureName) is a valid signature of \(signed), not of \(fileName): a signed file was renamed into this release (another version or another product); refusing \(fileName).")
        }
    }
}
