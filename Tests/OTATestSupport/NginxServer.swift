import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private nginx (Debian `nginx-light`) serving the folder `root` as a static host on
/// 127.0.0.1, with its own configuration, pid file and logs in a temporary folder (`daemon off`,
/// `master_process off`: one process, the test's child, running as the test's user). ETags are on
/// (nginx's default), so conditional `GET`s answer 304.
///
/// Each request is one line of ``requests()`` (from nginx's access log): method, URI, status, bytes sent.
public final class NginxServer: @unchecked Sendable {
    /// One line of the access log.
    public struct Request: Sendable, Equatable, CustomStringConvertible {
        public let method: String
        public let uri: String
        public let status: Int
        /// Bytes sent to the client, headers included.
        public let bytesSent: Int

        public var description: String { "\(method) \(uri) \(status)" }
    }

    public static let installHint = "nginx is not installed: apt-get install -y nginx-light (CI does this in .ci/run)"

    /// The folder served.
    public let root: String
    /// The port nginx listens on (127.0.0.1).
    public let port: Int
    private let directory: TemporaryDirectory
    private let process: Process

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts nginx serving `root`; returns once it answers and logs requests.
    public init(root: String) throws {
        guard let executable = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw NginxError(Self.installHint)
        }
        self.root = root
        let directory = try TemporaryDirectory("nginx")
        self.directory = directory
        try directory.makeDirectory("temp")
        // The port is free when picked, but another test may bind it before nginx does: then nginx exits
        // ("Address already in use") and is started again on another port.
        var attempt = 1
        while true {
            let port = try Self.freePort()
            try directory.write("nginx.conf", Self.configuration(root: root, port: port, directory: directory.path))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-p", directory.path, "-e", directory.url("error.log"), "-c", directory.url("nginx.conf")]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            do {
                try Self.waitUntilServing(process, port: port, directory: directory)
                self.port = port
                self.process = process
                return
            } catch let error as NginxError where error.portTaken && attempt < 5 {
                attempt += 1
                _ = truncate(directory.url("error.log"), 0)
            }
        }
    }

    deinit {
        stop()
    }

    /// Stops nginx and waits for it to exit. SIGKILL: nginx inherits the test process's blocked signals,
    /// and without a master process it never unblocks SIGTERM or SIGQUIT.
    public func stop() {
        Self.stop(process)
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The requests served so far, in order.
    ///
    /// nginx writes a request's log line after it has sent the answer, so a client can hold its answer before
    /// the line exists. A marker request is sent first and the log read once it holds the marker's line: nginx
    /// (one process, one event loop) finished logging every request answered before it.
    public func requests() throws -> [Request] {
        try logTextThroughMarker().split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, !fields[1].hasPrefix(Self.markerPrefix), let status = Int(fields[2]), let bytes = Int(fields[3]) else { return nil }
            return Request(method: String(fields[0]), uri: String(fields[1]), status: status, bytesSent: bytes)
        }
    }

    /// Forgets the requests served so far (truncates the access log nginx appends to, once every request
    /// answered so far is in it).
    public func clearRequests() throws {
        _ = try logTextThroughMarker()
        guard truncate(directory.url("access.log"), 0) == 0 || errno == ENOENT else {
            throw NginxError("cannot truncate nginx's access log: \(String(cString: strerror(errno)))")
        }
    }

    private static let markerPrefix = "/.ota-test-marker-"

    /// The access log, after a marker request's line has reached it.
    private func logTextThroughMarker() throws -> String {
        let marker = Self.markerPrefix + UUID().uuidString.lowercased()
        guard Self.get(marker, port: port) else { throw NginxError("nginx did not answer the marker request \(marker): \(errorLog)") }
        guard let text = Self.logText(containing: marker, in: directory, timeout: 60) else {
            throw NginxError("nginx did not log the marker request \(marker) within 60 s")
        }
        return text
    }

    /// The access log once it holds `marker` (polled: nginx writes the line as it sends the answer), or `nil`
    /// after `timeout` seconds, a hang guard.
    private static func logText(containing marker: String, in directory: TemporaryDirectory, timeout: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = (try? String(contentsOfFile: directory.url("access.log"), encoding: .utf8)) ?? ""
            if text.contains(marker) { return text }
            guard Date() < deadline else { return nil }
            usleep(2_000)
        }
    }

    /// Sends `GET uri` (HTTP/1.0, so nginx closes the connection) and reads the answer to its end.
    private static func get(_ uri: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let request = Array("GET \(uri) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var received = 0
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return count == 0 && received > 0
            }
        }
    }

    /// nginx's error log, for failure messages.
    public var errorLog: String { (try? String(contentsOfFile: directory.url("error.log"), encoding: .utf8)) ?? "" }

    private static func configuration(root: String, port: Int, directory: String) -> String {
        """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(directory)/nginx.pid;
        error_log \(directory)/error.log warn;
        events { worker_connections 64; }
        http {
            log_format requests '$request_method $request_uri $status $bytes_sent';
            access_log \(directory)/access.log requests;
            client_body_temp_path \(directory)/temp/body;
            proxy_temp_path \(directory)/temp/proxy;
            fastcgi_temp_path \(directory)/temp/fastcgi;
            uwsgi_temp_path \(directory)/temp/uwsgi;
            scgi_temp_path \(directory)/temp/scgi;
            types { application/json json; }
            default_type application/octet-stream;
            server {
                listen 127.0.0.1:\(port);
                root \(root);
            }
        }

        """
    }

    /// A port no one listens on now: the kernel's pick for a socket bound to 127.0.0.1:0.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NginxError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw NginxError("bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits (up to 30 s, for a loaded machine) until nginx answers and logs a marker request on `port` (so
    /// the listener is this nginx, not another test's server that took the port), or fails with its error log.
    private static func waitUntilServing(_ process: Process, port: Int, directory: TemporaryDirectory) throws {
        let errorLog = { (try? String(contentsOfFile: directory.url("error.log"), encoding: .utf8)) ?? "" }
        let marker = markerPrefix + "start-" + UUID().uuidString.lowercased()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else {
                throw NginxError("nginx exited at start: \(errorLog())", portTaken: errorLog().contains("Address already in use"))
            }
            if get(marker, port: port), logText(containing: marker, in: directory, timeout: 1) != nil { return }
            usleep(20_000)
        }
        stop(process)
        throw NginxError("nginx did not serve on 127.0.0.1:\(port) within 30 s: \(errorLog())")
    }
}

/// nginx could not be started (or is not installed).
public struct NginxError: Error, CustomStringConvertible {
    public let description: String
    /// nginx exited because another process had bound its port.
    let portTaken: Bool

    public init(_ description: String) {
        self.init(description, portTaken: false)
    }

    init(_ description: String, portTaken: Bool) {
        self.description = description
        self.portTaken = portTaken
    }
}
