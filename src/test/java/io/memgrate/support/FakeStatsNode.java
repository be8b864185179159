package io.memgrate.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cache node that answers {@code stats} with whatever bytes a test sets (a valid reply, garbage, an oversized one, one
 * without end)
 * and counts the requests, to see what Memgrate does with them and how often it asks.
 */
public final class FakeStatsNode implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private volatile byte[] reply;
    /** Answers {@code stats} with STAT lines that never end, as fast as they are read. */
    private volatile boolean endless;

    private FakeStatsNode(String reply) throws IOException {
        this.reply = reply.getBytes(StandardCharsets.ISO_8859_1);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fake-stats-node-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listening on a free loopback port, answering {@code reply} to every {@code stats}. */
    public static FakeStatsNode answering(String reply) {
        try {
            return new FakeStatsNode(reply);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid {@code stats} reply, with memcached's fields, of a node up {@code uptime} seconds. */
    public static String stats(long uptime, long gets, long hits) {
        return "STAT pid 4242\r\nSTAT uptime " + uptime + "\r\nSTAT version 1.6.22\r\nSTAT curr_connections 3\r\n"
                + "STAT cmd_get " + gets + "\r\nSTAT cmd_set 7\r\nSTAT get_hits " + hits + "\r\nSTAT get_misses "
                + (gets - hits) + "\r\nSTAT bytes 2048\r\nSTAT curr_items 12\r\nSTAT evictions 0\r\n"
                + "STAT limit_maxbytes 67108864\r\nEND\r\n";
    }

    public void answer(String text) {
        answer(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void answer(byte[] bytes) {
        reply = bytes;
    }

    /** Answers every {@code stats} from now on with STAT lines without end, until the connection is closed. */
    public void answerWithoutEnd() {
        endless = true;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code stats} requests received so far. */
    public int requests() {
        return requests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                Thread reader = new Thread(() -> serve(socket), "fake-stats-connection");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("stats")) {
                    requests.incrementAndGet();
                    if (endless) {
                        byte[] lines = "STAT filler 0123456789\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
                        while (true) {
                            out.write(lines); // until Memgrate closes the connection: the write fails then
                        }
                    }
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // Memgrate dropped the connection (after a reply it could not frame) or the test closed this node
        } finally {
            connections.remove(socket);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : connections) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
