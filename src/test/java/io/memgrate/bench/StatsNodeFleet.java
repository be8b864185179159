package io.memgrate.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.memgrate.cluster.Node;
import io.memgrate.support.FakeStatsNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

/**
 * Many cache nodes for the node statistics phase, cheap enough to run by the hundred on the benchmark's one event loop:
 * each a loopback listener answering {@code stats} as its {@link Kind} says. Closed nodes are ports nothing listens
 * on (bound once, then closed).
 */
final class StatsNodeFleet implements AutoCloseable {

    /** How a node answers {@code stats}. */
    enum Kind {
        /** A memcached-like reply of about 3.5 KB whose counters grow. */
        HEALTHY,
        /** Nothing listens: connecting is refused. */
        CLOSED,
        /** Accepts and reads, never answers. */
        SILENT,
        /** Answers healthily {@value #SLOW_MILLIS} ms late. */
        SLOW,
        /** Answers every other request; closes the connection instead of the others. */
        FLAKY,
        /** Answers {@value #HUGE_BYTES} bytes of STAT lines, then END. */
        HUGE,
        /** Answers STAT lines without end, {@value #DRIP_BYTES} bytes every {@value #DRIP_MILLIS} ms. */
        DRIP
    }

    static final int SLOW_MILLIS = 300;
    static final int HUGE_BYTES = 2 * 1024 * 1024;
    static final int DRIP_BYTES = 1024;
    static final int DRIP_MILLIS = 10;

    private final Vertx vertx;
    private final List<NetServer> servers = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    /** The event loop the nodes run on, which shares the generator's CPU; -1 until a node served a connection. */
    private volatile long threadId = -1;
    private final Buffer huge = statLines(HUGE_BYTES).appendString("END\r\n", "US-ASCII");
    private final Buffer drip = statLines(DRIP_BYTES);
    /**
     * The healthy reply for each of the last few request numbers, shared by every healthy node: the fleet runs on the
     * generator's CPU, and building 158 replies a second there would slow the generator only while statistics are on.
     */
    private final Map<Long, Buffer> healthyReplies = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Buffer> eldest) {
            return size() > 8;
        }
    };

    private StatsNodeFleet(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * {@code total} nodes: when {@code faulty}, ten each of closed, silent, slow and flaky nodes, one huge
     * reply and one endless drip, the rest healthy; else all healthy.
     */
    static StatsNodeFleet start(Vertx vertx, int total, boolean faulty) throws Exception {
        StatsNodeFleet fleet = new StatsNodeFleet(vertx);
        List<Kind> kinds = new ArrayList<>();
        if (faulty) {
            for (Kind kind : List.of(Kind.CLOSED, Kind.SILENT, Kind.SLOW, Kind.FLAKY)) {
                kinds.addAll(Collections.nCopies(10, kind));
            }
            kinds.add(Kind.HUGE);
            kinds.add(Kind.DRIP);
        }
        while (kinds.size() < total) {
            kinds.add(Kind.HEALTHY);
        }
        for (int i = 0; i < total; i++) {
            int port = fleet.listen(kinds.get(i));
            fleet.nodes.add(new Node(String.format(Locale.ROOT, "node-%03d-%s.bench", i, kinds.get(i).name().toLowerCase(Locale.ROOT)),
                    "127.0.0.1", port));
        }
        return fleet;
    }

    /** Every node, in the order they were started. */
    List<Node> nodes() {
        return nodes;
    }

    /** {@code stats} requests received by all nodes so far. */
    long requests() {
        return requests.get();
    }

    private int listen(Kind kind) throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(socket -> serve(socket, kind));
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        if (kind == Kind.CLOSED) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } else {
            servers.add(server);
        }
        return port;
    }

    /**
     * CPU time of the fleet's event loop so far (the emulated configuration endpoints share it): work done on the
     * generator's CPU that is there only while Memgrate reads the nodes.
     */
    long cpuNanos() {
        long thread = threadId;
        return thread < 0 ? 0 : Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(thread));
    }

    private void serve(NetSocket socket, Kind kind) {
        threadId = Thread.currentThread().getId();
        long[] answered = {0};
        long[] dripTimer = {-1};
        socket.closeHandler(v -> vertx.cancelTimer(dripTimer[0]));
        RecordParser.newDelimited("\r\n", socket).handler(line -> {
            if (!line.toString(StandardCharsets.US_ASCII).equals("stats")) {
                return;
            }
            requests.incrementAndGet();
            long n = ++answered[0];
            switch (kind) {
                case HEALTHY -> socket.write(healthy(n));
                case SLOW -> vertx.setTimer(SLOW_MILLIS, id -> socket.write(healthy(n)));
                case FLAKY -> {
                    if (n % 2 == 0) {
                        socket.close();
                    } else {
                        socket.write(healthy(n));
                    }
                }
                case HUGE -> socket.write(huge);
                case DRIP -> dripTimer[0] = vertx.setPeriodic(DRIP_MILLIS, id -> {
                    if (!socket.writeQueueFull()) {
                        socket.write(drip);
                    }
                });
                case SILENT, CLOSED -> {
                }
            }
        });
    }

    /** The healthy reply to a node's {@code n}-th request; touched on the fleet's one event loop only. */
    private Buffer healthy(long n) {
        return healthyReplies.computeIfAbsent(n, StatsNodeFleet::healthyReply);
    }

    /** A memcached-like {@code stats} reply of about 3.5 KB, as real ones are (its counters grow with {@code n}). */
    private static Buffer healthyReply(long n) {
        String core = FakeStatsNode.stats(1000 + n, 100 * n, 90 * n);
        Buffer reply = Buffer.buffer(3600);
        reply.appendString(core.substring(0, core.length() - "END\r\n".length()), "US-ASCII");
        for (int i = 0; reply.length() < 3400; i++) {
            reply.appendString("STAT slab_class_" + i + "_chunk_size " + (96 + 24 * i) + "\r\n", "US-ASCII");
        }
        return reply.appendString("END\r\n", "US-ASCII");
    }

    /** At least {@code bytes} bytes of STAT lines, no END. */
    private static Buffer statLines(int bytes) {
        Buffer lines = Buffer.buffer(bytes + 64);
        for (int i = 0; lines.length() < bytes; i++) {
            lines.appendString("STAT filler_" + i + " 0123456789012345678901234567890123456789\r\n", "US-ASCII");
        }
        return lines;
    }

    @Override
    public void close() {
        Future.join(servers.stream().map(NetServer::close).toList()).toCompletionStage().toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS).join();
    }
}
