/// Hands the bytes of one response body to the objects it holds (``DeltaFetch/parts``): skips the gaps
/// between them, streams each object into its ``DeltaObjectWriter``, and requires the body to end where the
/// last object does.
struct DeltaBodySplitter {
    let fetch: DeltaFetch

    init(_ fetch: DeltaFetch) {
        self.fetch = fetch
    }

    /// Writes every object of the body; `received` is told the size of each chunk as it arrives, and
    /// `inflated` the bytes of content it added to the objects.
    /// - Throws: ``DeltaError`` for an object that is corrupt or of the wrong size or hash, or a body that
    ///   is shorter or longer than the objects; the transfer's errors as they are.
    func write(_ body: TransferBody, received: (Int) -> Void, inflated: (Int64) -> Void = { _ in }) async throws {
        var position: Int64 = 0
        var next = 0
        var writer: DeltaObjectWriter?
        /// Content of the objects finished, and reported so far.
        var finished: Int64 = 0
        var reported: Int64 = 0
        for try await chunk in body {
            defer {
                let content = finished + (writer?.contentBytes ?? 0)
                if content > reported { inflated(content - reported) }
                reported = max(reported, content)
            }
            received(chunk.readableBytes)
            try chunk.withUnsafeReadableBytes { bytes in
                var cursor = 0
                while cursor < bytes.count {
                    guard next < fetch.parts.count else {
                        throw DeltaError(.objectUnavailable, "the response holds more than the \(position) bytes asked for")
                    }
                    let part = fetch.parts[next]
                    let available = Int64(bytes.count - cursor)
                    if position < part.offset {
                        let gap = min(available, part.offset - position)
                        cursor += Int(gap)
                        position += gap
                        continue
                    }
                    if writer == nil { writer = try DeltaObjectWriter(part.object) }
                    let end = part.length.map { part.offset + $0 } ?? Int64.max
                    let count = Int(min(available, end - position))
                    try writer?.write(UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + count)]))
                    cursor += count
                    position += Int64(count)
                    if position == end {
                        try writer?.finish()
                        finished += writer?.contentBytes ?? 0
                        writer = nil
                        next += 1
                    }
                }
            }
        }
        if let writer, fetch.parts[next].length == nil {
            try writer.finish()
            next += 1
        }
        guard next == fetch.parts.count else {
            throw DeltaError(.objectUnavailable, "the response ends after \(position) bytes, before the object \(fetch.parts[next].object.sha256) does")
        }
    }
}
