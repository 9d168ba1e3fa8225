package dev.claw4j.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded pipe between threads that, unlike {@link java.io.PipedInputStream}, does not care which threads
 * write or whether they are still alive (virtual threads come and go). It never holds more than
 * {@code capacity} bytes: a writer blocks until the reader has taken enough, so a side that stops reading
 * stops the side that writes (for the agent's stdout that is Docker's attach stream, and behind it the
 * sandbox's own pipe) instead of filling the host's memory. The reader blocks until bytes arrive or the pipe
 * is closed; what was written before the close is still read.
 */
final class ByteQueue {
    /** Enough for a burst of the biggest protocol lines; a sandbox that writes more waits for the host. */
    static final int DEFAULT_CAPACITY = 2 << 20;

    private final int capacity;
    private final long stallNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private long queued;
    private boolean closed;

    /** A pipe whose writers wait as long as it takes (until the reader reads or the pipe is closed). */
    ByteQueue() {
        this(DEFAULT_CAPACITY, null);
    }

    /**
     * @param stall how long a writer waits for the reader to take anything before the pipe is closed as dead
     *              (the writer then gets an IOException); null to wait for ever
     */
    ByteQueue(int capacity, Duration stall) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 byte");
        }
        this.capacity = capacity;
        this.stallNanos = stall == null ? Long.MAX_VALUE : stall.toNanos();
    }

    final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            put(b, off, len);
        }

        @Override
        public void close() {
            ByteQueue.this.close();
        }
    };

    final InputStream in = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos == current.length) {
                current = take();
                pos = 0;
                if (current == null) {
                    current = new byte[0];
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return current.length - pos;
        }

        @Override
        public void close() {
            ByteQueue.this.close();
        }
    };

    /** Bytes written and not yet taken by the reader; never more than the capacity. */
    long queuedBytes() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void put(byte[] b, int off, int len) throws IOException {
        lock.lock();
        try {
            while (len > 0) {
                long waitNanos = stallNanos;
                while (!closed && queued >= capacity) {
                    if (waitNanos <= 0) {
                        closed = true;
                        notEmpty.signalAll();
                        notFull.signalAll();
                        throw new IOException("the reader took nothing for " + Duration.ofNanos(stallNanos).toSeconds()
                                + " s; the pipe is closed");
                    }
                    waitNanos = notFull.awaitNanos(waitNanos);
                }
                if (closed) {
                    throw new IOException("pipe closed");
                }
                int n = (int) Math.min(len, capacity - queued);
                chunks.addLast(Arrays.copyOfRange(b, off, off + n));
                queued += n;
                off += n;
                len -= n;
                notEmpty.signal();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        } finally {
            lock.unlock();
        }
    }

    /** The next chunk, or null once the pipe is closed and empty. */
    private byte[] take() throws IOException {
        lock.lock();
        try {
            while (chunks.isEmpty()) {
                if (closed) {
                    return null;
                }
                notEmpty.await();
            }
            byte[] chunk = chunks.removeFirst();
            queued -= chunk.length;
            notFull.signalAll();
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading");
        } finally {
            lock.unlock();
        }
    }
}
