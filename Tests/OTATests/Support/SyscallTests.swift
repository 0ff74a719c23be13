import Foundation
import Testing
@testable import OTA

@Suite("Support: system calls retried on EINTR")
struct SyscallTests {
    @Test("a call interrupted by a signal is made again until it gives a result")
    func retriesInterrupted() throws {
        var calls = 0
        let result = try Syscall.retryingInterrupts("read test") { () -> Int in
            calls += 1
            if calls < 4 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == 7)
        #expect(calls == 4)
    }

    @Test("any other failure is thrown once, naming the operation and errno")
    func throwsOtherFailures() {
        var calls = 0
        #expect(throws: SystemError("open /missing", errno: ENOENT)) {
            try Syscall.retryingInterrupts("open /missing") { () -> Int32 in
                calls += 1
                errno = ENOENT
                return -1
            }
        }
        #expect(calls == 1)
        #expect(Syscall.retryingInterrupts { () -> Int in errno = EBADF; return -1 } == -1)
    }

    @Test("writeAll then readAll move every byte through a file, readAll stopping at its limit")
    func writeAndReadAll() throws {
        let temp = try TemporaryDirectory()
        let path = temp.url("data")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        try #require(output >= 0)
        try Syscall.writeAll(output, bytes, "write \(path)")
        close(output)

        let input = open(path, O_RDONLY | O_CLOEXEC)
        try #require(input >= 0)
        defer { close(input) }
        #expect(try Syscall.readAll(input, limit: 512, "read \(path)") == Array(bytes.prefix(512)))
        #expect(try Syscall.readAll(input, limit: .max, "read \(path)") == Array(bytes.dropFirst(512)))
        #expect(try Syscall.readAll(input, limit: .max, "read \(path)") == [])
    }

    @Test("forEachChunk hands over the file in buffer-sized chunks and counts what it read")
    func chunks() throws {
        let temp = try TemporaryDirectory()
        let path = try temp.write("data", Data((0..<100).map { UInt8($0) }))
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 16)
        defer { buffer.deallocate() }
        var sizes: [Int] = []
        var seen: [UInt8] = []
        let count = try Syscall.forEachChunk(of: fd, buffer: buffer, limit: 90, "read \(path)") { chunk in
            sizes.append(chunk.count)
            seen.append(contentsOf: chunk)
        }
        #expect(count == 90)
        #expect(sizes == [32, 32, 26])
        #expect(seen == (0..<90).map { UInt8($0) })
    }

    @Test("a read error names the operation")
    func readError() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 16)
        defer { buffer.deallocate() }
        #expect(throws: SystemError("read closed", errno: EBADF)) {
            try Syscall.read(-1, into: buffer, "read closed")
        }
    }
}
