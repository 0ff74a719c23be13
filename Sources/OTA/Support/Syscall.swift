#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX calls on file descriptors, retried when a signal interrupts them (`EINTR`).
///
/// Every read and write of the package goes through here, so no caller spells out a retry loop;
/// failures become a ``SystemError`` naming the operation (`read /var/lib/ota/state.json`).
package enum Syscall {
    /// Runs `call` again for as long as it fails with `EINTR`; returns its first other result
    /// (negative with `errno` set when the call failed).
    @inline(__always)
    package static func retryingInterrupts<Value: BinaryInteger>(_ call: () -> Value) -> Value {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Runs `call` again for as long as it fails with `EINTR`; throws `operation`'s ``SystemError``
    /// when it fails otherwise.
    @inline(__always)
    package static func retryingInterrupts<Value: BinaryInteger>(
        _ operation: @autoclosure () -> String, _ call: () -> Value
    ) throws(SystemError) -> Value {
        let result = retryingInterrupts(call)
        guard result >= 0 else { throw SystemError.last(operation()) }
        return result
    }

    /// Reads up to `buffer.count` bytes from `fd`; 0 only at the end of the file (or for an empty buffer).
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer,
                             _ operation: @autoclosure () -> String) throws(SystemError) -> Int {
        guard buffer.count > 0 else { return 0 }
        return try retryingInterrupts(operation()) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes all of `bytes` to `fd`, however many `write` calls that takes.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ operation: @autoclosure () -> String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingInterrupts(operation()) { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            // A write that takes nothing would never finish.
            guard written > 0 else { throw SystemError(operation(), errno: EIO) }
            offset += written
        }
    }

    /// Writes all of `bytes` to `fd` at the file offset `offset` (`pwrite`, leaving the descriptor's
    /// own offset alone), however many calls that takes.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: off_t, _ operation: @autoclosure () -> String) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let written = retryingInterrupts { pwrite(fd, buffer.baseAddress! + done, buffer.count - done, offset + off_t(done)) }
                guard written > 0 else {
                    failure = written < 0 ? SystemError.last(operation()) : SystemError(operation(), errno: EIO)
                    return
                }
                done += written
            }
        }
        if let failure { throw failure }
    }

    /// Writes all of `bytes` to `fd`, however many `write` calls that takes.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ operation: @autoclosure () -> String) throws(SystemError) {
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            do throws(SystemError) { try writeAll(fd, buffer, operation()) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Calls `body` with each successive chunk read from `fd` into `buffer`, until the end of the
    /// file or until `limit` bytes have been read; returns how many bytes were read.
    @discardableResult
    package static func forEachChunk(of fd: Int32, buffer: UnsafeMutableRawBufferPointer, limit: Int = .max,
                                     _ operation: @autoclosure () -> String,
                                     _ body: (UnsafeRawBufferPointer) throws(SystemError) -> Void) throws(SystemError) -> Int {
        var total = 0
        while total < limit {
            let wanted = UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, limit - total)])
            let count = try read(fd, into: wanted, operation())
            if count == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: wanted[..<count]))
            total += count
        }
        return total
    }

    /// Reads `fd` to its end, or until `limit` bytes (at most `limit` are returned), in chunks of
    /// at most 64 KiB.
    package static func readAll(_ fd: Int32, limit: Int, _ operation: @autoclosure () -> String) throws(SystemError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, min(limit, 64 << 10)), alignment: 16)
        defer { buffer.deallocate() }
        var bytes: [UInt8] = []
        try forEachChunk(of: fd, buffer: buffer, limit: limit, operation()) { chunk in bytes.append(contentsOf: chunk) }
        return bytes
    }
}
