package io.memgrate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * A non-blocking (plain NIO, one selector per thread) load generator for a memcached-text-protocol server.
 * <p>
 * Every connection sends the same request line and expects the same reply bytes. Replies are framed by their exact
 * known length and compared byte for byte with the expected reply; any difference, early close or unexpected byte
 * counts as an error and closes that connection.
 * <p>
 * Two modes: <b>closed loop</b> ({@code pacingNanos == 0}): each connection keeps {@code depth} requests in flight and
 * sends a new one as soon as a reply completes; <b>paced</b> ({@code pacingNanos > 0}, depth 1): each connection sends
 * one request every {@code pacingNanos}, like a client polling its configuration endpoint.
 * <p>
 * Latency is measured per request from the moment its bytes are handed to the socket to the moment the last byte of
 * its reply is read, in nanoseconds, into an HdrHistogram. Only replies completed inside the measurement window
 * (after the warm-up) are counted.
 */
final class LoadGenerator {

    record Settings(InetSocketAddress target, byte[] request, byte[] expectedReply, int connections, int depth,
            int threads, Duration warmup, Duration measure, long pacingNanos) {

        Settings {
            if (connections < 1 || depth < 1 || threads < 1) {
                throw new IllegalArgumentException("connections, depth and threads must be >= 1");
            }
            if (pacingNanos > 0 && depth != 1) {
                throw new IllegalArgumentException("paced mode uses depth 1");
            }
        }
    }

    /** What one run measured; {@code requests} and {@code latencyNanos} cover the measurement window only. */
    record Result(long requests, double seconds, Histogram latencyNanos, long errors, List<String> firstErrors,
            long generatorThreadCpuNanos, int connectionsOpen) {

        double throughput() {
            return requests / seconds;
        }

        double micros(double percentile) {
            return latencyNanos.getTotalCount() == 0 ? Double.NaN : latencyNanos.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private static final long HIGHEST_TRACKABLE_NANOS = Duration.ofSeconds(60).toNanos();
    private static final int MAX_ERRORS_KEPT = 5;

    private final Settings settings;
    private final AtomicLong errors = new AtomicLong();
    private final List<String> firstErrors = new ArrayList<>();

    LoadGenerator(Settings settings) {
        this.settings = settings;
    }

    /**
     * Connects every connection (blocking connects, before the clock starts), then runs warm-up plus measurement.
     * {@code onMeasureStart} / {@code onMeasureEnd} run on the calling thread at the measurement window's edges (to
     * read CPU times); {@code duringRun} runs every {@code sampleEvery} from the start of the warm-up to the end.
     */
    Result run(Runnable onMeasureStart, Runnable duringRun, Runnable onMeasureEnd, Duration sampleEvery)
            throws IOException, InterruptedException {
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < settings.threads(); t++) {
            workers.add(new Worker(t));
        }
        long connectDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try {
            for (int i = 0; i < settings.connections(); i++) {
                if (System.nanoTime() > connectDeadline) {
                    throw new IOException("could not open " + settings.connections() + " connections within 30 s");
                }
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.socket().connect(settings.target(), 5000);
                channel.configureBlocking(false);
                workers.get(i % workers.size()).add(channel);
            }
        } catch (IOException e) {
            workers.forEach(Worker::closeAll);
            throw e;
        }

        long start = System.nanoTime();
        long measureStart = start + settings.warmup().toNanos();
        long measureEnd = measureStart + settings.measure().toNanos();
        List<Thread> threads = new ArrayList<>();
        for (Worker worker : workers) {
            worker.window(start, measureStart, measureEnd);
            Thread thread = new Thread(worker, "loadgen-" + worker.index);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        // Sample (memory) from the first request on, warm-up included; CPU is read at the window's edges.
        long sampleNanos = Math.max(Duration.ofMillis(50).toNanos(), sampleEvery.toNanos());
        boolean measuring = false;
        long nextSample = start + sampleNanos;
        while (true) {
            long now = System.nanoTime();
            if (!measuring && now >= measureStart) {
                onMeasureStart.run();
                measuring = true;
            }
            if (now >= measureEnd) {
                break;
            }
            if (now >= nextSample) {
                duringRun.run();
                nextSample += sampleNanos;
            }
            sleepUntil(Math.min(nextSample, measuring ? measureEnd : measureStart));
        }
        onMeasureEnd.run();
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(10).toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(Duration.ofSeconds(5).toMillis());
            }
        }

        Histogram latency = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        long requests = 0;
        long cpu = 0;
        int open = 0;
        for (Worker worker : workers) {
            latency.add(worker.latency);
            requests += worker.completedInWindow;
            cpu += worker.windowCpuNanos;
            open += worker.openAtEnd;
            worker.closeAll();
        }
        synchronized (firstErrors) {
            return new Result(requests, settings.measure().toNanos() / 1e9, latency, errors.get(),
                    List.copyOf(firstErrors), cpu, open);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }

    private void error(String message) {
        errors.incrementAndGet();
        synchronized (firstErrors) {
            if (firstErrors.size() < MAX_ERRORS_KEPT) {
                firstErrors.add(message);
            }
        }
    }

    /** One connection's state; touched only by its worker thread. */
    private static final class Connection {
        final SocketChannel channel;
        SelectionKey key;
        final long[] sentAt;
        int oldest; // index in sentAt of the oldest request in flight
        int inFlight;
        int replyPosition; // bytes of the current reply matched so far
        long bytesWritten; // total request bytes written (the request stream is periodic)
        int unsentBytes; // request bytes issued but not yet accepted by the socket
        long dueAt; // paced mode: when the next request is due
        boolean open = true;

        Connection(SocketChannel channel, int depth) {
            this.channel = channel;
            this.sentAt = new long[depth];
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final List<Connection> connections = new ArrayList<>();
        final Selector selector;
        final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        final byte[] expected = settings.expectedReply();
        final int requestLength = settings.request().length;
        /** The request repeated depth + 1 times: any run of up to depth requests, from any phase, is one slice of it. */
        final ByteBuffer requests;
        final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
        final PriorityQueue<Connection> due = new PriorityQueue<>((a, b) -> Long.compare(a.dueAt, b.dueAt));
        long start;
        long measureStart;
        long measureEnd;
        long completedInWindow;
        long windowCpuNanos;
        int openAtEnd;

        Worker(int index) throws IOException {
            this.index = index;
            this.selector = Selector.open();
            int depth = settings.depth();
            ByteBuffer repeated = ByteBuffer.allocateDirect(requestLength * (depth + 1));
            for (int i = 0; i <= depth; i++) {
                repeated.put(settings.request());
            }
            this.requests = repeated.flip();
        }

        void add(SocketChannel channel) throws IOException {
            Connection connection = new Connection(channel, settings.depth());
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            connections.add(connection);
        }

        void window(long start, long measureStart, long measureEnd) {
            this.start = start;
            this.measureStart = measureStart;
            this.measureEnd = measureEnd;
        }

        @Override
        public void run() {
            ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
            long cpuAtMeasureStart = -1;
            try {
                boolean paced = settings.pacingNanos() > 0;
                for (int i = 0; i < connections.size(); i++) {
                    Connection connection = connections.get(i);
                    if (paced) {
                        // Spread the first requests evenly over one interval, as independent clients would be.
                        connection.dueAt = start + settings.pacingNanos() * i / connections.size();
                        due.add(connection);
                    } else {
                        issue(connection, settings.depth(), start);
                    }
                }
                while (!Thread.currentThread().isInterrupted()) {
                    long now = System.nanoTime();
                    if (cpuAtMeasureStart < 0 && now >= measureStart) {
                        cpuAtMeasureStart = threadBean.getCurrentThreadCpuTime();
                    }
                    if (now >= measureEnd) {
                        break;
                    }
                    if (paced) {
                        Connection next;
                        while ((next = due.peek()) != null && next.dueAt <= now) {
                            due.poll();
                            if (next.open) {
                                issue(next, 1, now);
                            }
                        }
                    }
                    long untilNextEvent = Math.min(measureEnd, paced && !due.isEmpty() ? due.peek().dueAt : measureEnd) - now;
                    if (cpuAtMeasureStart < 0) {
                        untilNextEvent = Math.min(untilNextEvent, measureStart - now);
                    }
                    long timeoutMillis = Math.max(1, Math.min(10, untilNextEvent / 1_000_000));
                    int ready = selector.select(timeoutMillis);
                    if (ready == 0) {
                        continue;
                    }
                    long readyAt = System.nanoTime();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Connection connection = (Connection) key.attachment();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isWritable()) {
                            flush(connection);
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(connection, readyAt);
                        }
                    }
                }
            } catch (IOException e) {
                error("worker " + index + ": " + e);
            } finally {
                long cpuNow = threadBean.getCurrentThreadCpuTime();
                windowCpuNanos = cpuAtMeasureStart < 0 ? 0 : cpuNow - cpuAtMeasureStart;
                openAtEnd = (int) connections.stream().filter(c -> c.open).count();
            }
        }

        /** Issues {@code count} more requests on {@code connection}, stamped {@code now}. */
        private void issue(Connection connection, int count, long now) {
            int depth = connection.sentAt.length;
            for (int i = 0; i < count; i++) {
                connection.sentAt[(connection.oldest + connection.inFlight) % depth] = now;
                connection.inFlight++;
            }
            connection.unsentBytes += count * requestLength;
            flush(connection);
        }

        private void flush(Connection connection) {
            if (connection.unsentBytes == 0 || !connection.open) {
                return;
            }
            int phase = (int) (connection.bytesWritten % requestLength);
            ByteBuffer slice = requests.duplicate();
            slice.position(phase).limit(phase + connection.unsentBytes);
            try {
                int written = connection.channel.write(slice);
                connection.bytesWritten += written;
                connection.unsentBytes -= written;
            } catch (IOException e) {
                fail(connection, "write failed: " + e.getMessage());
                return;
            }
            int wanted = connection.unsentBytes > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
            if (connection.key.interestOps() != wanted) {
                connection.key.interestOps(wanted);
            }
        }

        private void read(Connection connection, long now) {
            ByteBuffer buffer = readBuffer.clear();
            int read;
            try {
                read = connection.channel.read(buffer);
            } catch (IOException e) {
                fail(connection, "read failed: " + e.getMessage());
                return;
            }
            if (read < 0) {
                fail(connection, "server closed the connection");
                return;
            }
            byte[] data = buffer.array();
            int offset = 0;
            int completed = 0;
            while (offset < read) {
                if (connection.inFlight == 0) {
                    fail(connection, "unexpected bytes with no request in flight");
                    return;
                }
                int take = Math.min(read - offset, expected.length - connection.replyPosition);
                if (Arrays.mismatch(data, offset, offset + take, expected, connection.replyPosition,
                        connection.replyPosition + take) >= 0) {
                    fail(connection, "reply differs from the expected bytes at reply offset " + connection.replyPosition
                            + ": got '" + printable(data, offset, read) + "'");
                    return;
                }
                offset += take;
                connection.replyPosition += take;
                if (connection.replyPosition == expected.length) {
                    connection.replyPosition = 0;
                    long sent = connection.sentAt[connection.oldest];
                    connection.oldest = (connection.oldest + 1) % connection.sentAt.length;
                    connection.inFlight--;
                    completed++;
                    if (now >= measureStart && now < measureEnd) {
                        latency.recordValue(Math.min(HIGHEST_TRACKABLE_NANOS, now - sent));
                        completedInWindow++;
                    }
                    if (settings.pacingNanos() > 0) {
                        connection.dueAt = sent + settings.pacingNanos();
                        due.add(connection);
                    }
                }
            }
            if (completed > 0 && settings.pacingNanos() == 0 && now < measureEnd) {
                issue(connection, completed, now);
            }
        }

        private void fail(Connection connection, String message) {
            error(settings.target() + ": " + message);
            connection.open = false;
            connection.key.cancel();
            try {
                connection.channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        void closeAll() {
            for (Connection connection : connections) {
                try {
                    connection.channel.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private static String printable(byte[] data, int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < Math.min(to, from + 80); i++) {
            char c = (char) (data[i] & 0xff);
            text.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 32 || c > 126 ? "?" : String.valueOf(c));
        }
        return text.toString();
    }
}
