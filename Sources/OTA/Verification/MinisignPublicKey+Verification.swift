import Crypto
import Foundation

/// Checking minisign signatures the way `minisign -V` does: key id, file signature, trusted comment.
extension MinisignPublicKey {
    /// The largest file a legacy (`Ed`) signature is checked for: legacy signatures sign the whole
    /// file, which must then be held in memory. Prehashed (`ED`) signatures have no limit.
    public static let legacyMaximumFileByteCount = 64 * 1024 * 1024

    /// Checks that `signature` was made by this key over the file at `path`, trusted comment included.
    ///
    /// A prehashed (`ED`) signature streams the file through BLAKE2b-512 in constant memory; a legacy
    /// (`Ed`) one reads the whole file and refuses files over ``legacyMaximumFileByteCount``.
    /// - Parameters:
    ///   - signature: the parsed `.minisig` file.
    ///   - path: the signed file.
    ///   - signatureName: how errors name the signature (`app.tar.gz.minisig`).
    public func verify(_ signature: MinisignSignature, fileAt path: String, signatureName: String) throws(VerificationError) {
        try checkKeyID(of: signature, signatureName: signatureName)
        let message: [UInt8]
        switch signature.algorithm {
        case .prehashed:
            var hasher = BLAKE2b()
            try ChunkedFileReader.forEachChunk(ofFileAt: path) { hasher.update($0) }
            message = hasher.finalize()
        case .legacy:
            message = try ChunkedFileReader.contents(ofFileAt: path, limit: Self.legacyMaximumFileByteCount) { size in
                VerificationError(.legacySignatureFileTooLarge, "The signature \(signatureName) uses minisign's legacy format, which cannot be checked for a \(size)-byte file (the limit is \(Self.legacyMaximumFileByteCount) bytes); re-sign it with minisign 0.10 or later without -l (prehashed signatures, the default).")
            }
        }
        try check(signature, message: message, signatureName: signatureName, subject: PathName.lastComponent(of: path))
    }

    /// Checks that `signature` was made by this key over `data` (a checksums file), trusted comment included.
    public func verify(_ signature: MinisignSignature, data: Data, dataName: String, signatureName: String) throws(VerificationError) {
        try checkKeyID(of: signature, signatureName: signatureName)
        switch signature.algorithm {
        case .prehashed:
            try check(signature, message: BLAKE2b.hash(data), signatureName: signatureName, subject: dataName)
        case .legacy:
            guard data.count <= Self.legacyMaximumFileByteCount else {
                throw VerificationError(.legacySignatureFileTooLarge, "The signature \(signatureName) uses minisign's legacy format, which cannot be checked for a \(data.count)-byte file; re-sign it without -l.")
            }
            try check(signature, message: [UInt8](data), signatureName: signatureName, subject: dataName)
        }
    }

    private func checkKeyID(of signature: MinisignSignature, signatureName: String) throws(VerificationError) {
        guard signature.keyID == keyID else {
            throw VerificationError(.keyIDMismatch, "The signature \(signatureName) was made with key \(signature.keyIDString), but the configured public key is \(keyIDString); the release was signed with another key, so check public_key.")
        }
    }

    private func check(_ signature: MinisignSignature, message: [UInt8], signatureName: String, subject: String) throws(VerificationError) {
        let key = try signingKey
        guard key.isValidSignature(signature.signature, for: message) else {
            throw VerificationError(.invalidSignature, "The signature \(signatureName) does not match \(subject) for key \(keyIDString): the file was altered or the signature belongs to another file; it must not be installed.")
        }
        let global = signature.signature + Array(signature.trustedComment.utf8)
        guard key.isValidSignature(signature.globalSignature, for: global) else {
            throw VerificationError(.invalidTrustedCommentSignature, "The trusted comment of \(signatureName) is not covered by its global signature (key \(keyIDString)): the comment was altered; the release must not be installed.")
        }
    }
}
