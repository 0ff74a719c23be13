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

    /// Starts nginx serving `root`; returns once it accepts connections.
    public init(root: String) throws {
        guard let executable = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw NginxError(Self.installHint)
        }
        self.root = root
        directory = try TemporaryDirectory("nginx")
        port = try Self.freePort()
        try directory.makeDirectory("temp")
        try directory.write("nginx.conf", Self.configuration(root: root, port: port, directory: directory.path))
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-p", directory.path, "-e", directory.url("error.log"), "-c", directory.url("nginx.conf")]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    deinit {
        stop()
    }

    /// Stops nginx and waits for it to exit. SIGKILL: nginx inherits the test process's blocked signals,
    /// and without a master process it never unblocks SIGTERM or SIGQUIT.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The requests served so far, in order.
    public func requests() throws -> [Request] {
        let text = (try? String(contentsOfFile: directory.url("access.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, let status = Int(fields[2]), let bytes = Int(fields[3]) else { return nil }
            return Request(method: String(fields[0]), uri: String(fields[1]), status: status, bytesSent: bytes)
        }
    }

    /// Forgets the requests served so far (truncates the access log nginx appends to).
    public func clearRequests() throws {
        guard truncate(directory.url("access.log"), 0) == 0 || errno == ENOENT else {
            throw NginxError("cannot truncate nginx's access log: \(String(cString: strerror(errno)))")
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

    /// Waits (up to 30 s, for a loaded machine) until nginx accepts a connection, or fails with its error log.
    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { throw NginxError("nginx exited at start: \(errorLog)") }
            if Self.accepts(port: port) { return }
            usleep(20_000)
        }
        stop()
        throw NginxError("nginx did not listen on 127.0.0.1:\(port) within 30 s: \(errorLog)")
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// nginx could not be started (or is not installed).
public struct NginxError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
