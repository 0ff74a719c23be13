#if canImport(Glibc)
import Glibc
#endif

/// Runs another ``ByteSource`` on a thread of its own, a few fixed-size chunks ahead of the reader.
///
/// Extraction alternates CPU work (inflating) with system calls (creating and writing files); with
/// the inflater on its own thread the two overlap on a multi-core device, as `tar -xz` overlaps its
/// `gzip` child. Memory stays constant: `slots` × `chunkSize` bytes, whatever the archive's size.
///
/// - The reader sees exactly the upstream's bytes in order, then its error (if any) after the bytes
///   that came before it, as if it had read the upstream itself.
/// - A reader that stops early (the archive is rejected) stops the thread: releasing this source
///   cancels it and waits for it, so the upstream is never read after the source is gone.
/// - On a single-CPU machine ``wrapping(_:)`` returns the upstream; if no thread can be started,
///   reads go straight to the upstream.
final class ReadAheadSource: ByteSource {
    static let chunkSize = 128 * 1024
    static let slotCount = 4

    private let ring: ChunkRing
    private var thread = pthread_t()
    private var threaded = false
    private var offset = 0

    /// `upstream` read ahead on its own thread, or `upstream` itself where that would not help.
    static func wrapping(_ upstream: ByteSource, slots: Int = slotCount, chunkSize: Int = chunkSize) -> ByteSource {
        guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 else { return upstream }
        return ReadAheadSource(upstream, slots: slots, chunkSize: chunkSize)
    }

    /// Starts the thread (without one, reads go straight to `upstream`).
    init(_ upstream: ByteSource, slots: Int = slotCount, chunkSize: Int = chunkSize) {
        ring = ChunkRing(upstream, slots: slots, chunkSize: chunkSize)
        // The thread holds the ring, never this object, so releasing this object stops it.
        let context = Unmanaged.passRetained(ring).toOpaque()
        threaded = pthread_create(&thread, nil, { context in
            Unmanaged<ChunkRing>.fromOpaque(context!).takeRetainedValue().produce()
            return nil
        }, context) == 0
        if !threaded { Unmanaged<ChunkRing>.fromOpaque(context).release() }
    }

    deinit {
        guard threaded else { return }
        ring.cancel()
        pthread_join(thread, nil)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        guard buffer.count > 0 else { return 0 }
        guard threaded else { return try ring.upstream.read(into: buffer) }
        guard let chunk = try ring.waitForChunk() else { return 0 }
        let n = min(chunk.count - offset, buffer.count)
        buffer.baseAddress!.copyMemory(from: chunk.baseAddress! + offset, byteCount: n)
        offset += n
        if offset == chunk.count {
            offset = 0
            ring.releaseChunk()
        }
        return n
    }
}

/// The slots shared by the reader and the read-ahead thread, and the upstream only the thread reads.
private final class ChunkRing: @unchecked Sendable {
    let upstream: ByteSource
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let slots: [UnsafeMutableRawBufferPointer]
    // Guarded by `mutex`. Slots head..<head+ready (mod slot count) hold data for the reader; the
    // thread fills only the slot after them, so neither side touches a slot the other one owns.
    private var filled: [Int]
    private var head = 0
    private var ready = 0
    private var ended = false
    private var failure: ArchiveError?
    private var cancelled = false

    init(_ upstream: ByteSource, slots: Int, chunkSize: Int) {
        precondition(slots > 0 && chunkSize > 0)
        self.upstream = upstream
        self.slots = (0..<slots).map { _ in .allocate(byteCount: chunkSize, alignment: 16) }
        filled = Array(repeating: 0, count: slots)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        for slot in slots { slot.deallocate() }
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Tells the thread to stop at its next slot.
    func cancel() {
        pthread_mutex_lock(mutex)
        cancelled = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// The thread: fills free slots from the upstream until its end, an error, or cancellation.
    func produce() {
        pthread_mutex_lock(mutex)
        while true {
            while ready == slots.count && !cancelled { pthread_cond_wait(changed, mutex) }
            if cancelled { break }
            let index = (head + ready) % slots.count
            pthread_mutex_unlock(mutex)
            let slot = slots[index]
            var count = 0
            var atEnd = false
            var error: ArchiveError?
            do {
                while count < slot.count {
                    let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: slot[count...]))
                    if n == 0 { atEnd = true; break }
                    count += n
                }
            } catch let thrown {
                error = thrown
            }
            pthread_mutex_lock(mutex)
            if count > 0 {
                filled[index] = count
                ready += 1
            }
            if atEnd || error != nil {
                failure = error
                ended = true
            }
            pthread_cond_broadcast(changed)
            if ended { break }
        }
        pthread_mutex_unlock(mutex)
    }

    /// The reader: the oldest filled slot (it stays the reader's until ``releaseChunk()``), `nil`
    /// at the end, or the upstream's error once every byte before it was taken.
    func waitForChunk() throws(ArchiveError) -> UnsafeRawBufferPointer? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while ready == 0 && !ended { pthread_cond_wait(changed, mutex) }
        guard ready > 0 else {
            if let failure { throw failure }
            return nil
        }
        return UnsafeRawBufferPointer(rebasing: slots[head][..<filled[head]])
    }

    /// The reader is done with the oldest slot: the thread may fill it again.
    func releaseChunk() {
        pthread_mutex_lock(mutex)
        head = (head + 1) % slots.count
        ready -= 1
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
