import COTASystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process in its own process group, with stdout and stderr collected through a pipe.
///
/// `posix_spawn` is used rather than `Foundation.Process` so that the child gets its own process group
/// (a time-out can stop everything it started) and default signal handling (the agent blocks SIGTERM
/// for graceful shutdown; its hooks must not inherit that).
final class ChildProcess: @unchecked Sendable {
    enum Outcome: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case cancelled
    }

    /// Output kept at most (the tail).
    static let outputLimit = 64 << 10

    let pid: pid_t
    private let lock = NSLock()
    private var output: [UInt8] = []
    private var outputClosed = false

    private init(pid: pid_t, readFD: Int32) {
        self.pid = pid
        let thread = Thread { [self] in self.readLoop(readFD) }
        thread.start()
    }

    static func spawn(_ arguments: [String], directory: String, environment: [String: String]) throws(SystemError) -> ChildProcess {
        var pipeFDs: [Int32] = [0, 0]
        guard ota_pipe_cloexec(&pipeFDs) == 0 else { throw SystemError.last("pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        ota_spawn_addchdir(&actions, directory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(pipeFDs[1])
        guard result == 0 else {
            close(pipeFDs[0])
            throw SystemError("spawn \(arguments[0])", errno: result)
        }
        return ChildProcess(pid: pid, readFD: pipeFDs[0])
    }

    /// Waits for the child to exit; at `timeout` stops its process group (SIGTERM, then SIGKILL after 2 s).
    func wait(timeout: Duration) async -> Outcome {
        let deadline = ContinuousClock.now + timeout
        var delay = Duration.milliseconds(2)
        while true {
            if let outcome = reap() { return outcome }
            if ContinuousClock.now >= deadline { break }
            if Task.isCancelled {
                stop()
                return .cancelled
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(50))
        }
        kill(-pid, SIGTERM)
        let grace = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < grace && !Task.isCancelled {
            if reap() != nil { return .timedOut }
            try? await Task.sleep(for: .milliseconds(20))
        }
        stop()
        return .timedOut
    }

    /// Kills the whole process group and reaps the child.
    private func stop() {
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        _ = Syscall.retryingInterrupts { waitpid(pid, &status, 0) }
    }

    /// What the child printed (the last 64 KiB), as text. Call after ``wait(timeout:)``: it waits up to
    /// half a second for the pipe to drain (longer only if a background grandchild keeps it open).
    func collectedOutput() async -> String {
        for _ in 0..<50 where !lock.withLock({ outputClosed }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return lock.withLock { String(decoding: output, as: UTF8.self) }
    }

    private func reap() -> Outcome? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    private func readLoop(_ fd: Int32) {
        defer {
            close(fd)
            lock.withLock { outputClosed = true }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        // A read error ends the output like the end of the pipe does.
        _ = try? Syscall.forEachChunk(of: fd, buffer: buffer, "read the output of \(pid)") { chunk in
            lock.withLock {
                output.append(contentsOf: chunk)
                if output.count > Self.outputLimit { output.removeFirst(output.count - Self.outputLimit) }
            }
        }
    }
}
