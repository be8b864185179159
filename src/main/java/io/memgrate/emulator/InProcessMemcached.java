package io.memgrate.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A small memcached for dev nodes on machines without the real one: the text protocol's {@code get}, {@code gets},
 * {@code set}, {@code add}, {@code replace}, {@code delete}, {@code flush_all}, {@code version}, {@code stats} and
 * {@code quit}, with memcached's replies byte for byte. Memory is bounded like memcached's: at most
 * {@value #MAX_ITEM_BYTES} bytes per value (its default {@code -I}), and the least recently used items are evicted
 * to keep keys and values within {@code maxBytes} (its {@code -m}).
 */
public final class InProcessMemcached {

    public static final int MAX_ITEM_BYTES = 1024 * 1024;
    static final int MAX_KEY_BYTES = 250;
    static final int MAX_LINE_BYTES = 64 * 1024;
    /** memcached reads exptime values above 30 days as absolute Unix times. */
    private static final long MAX_RELATIVE_EXPTIME = 60L * 60 * 24 * 30;

    private static final Buffer END = reply("END");
    private static final Buffer STORED = reply("STORED");
    private static final Buffer NOT_STORED = reply("NOT_STORED");
    private static final Buffer DELETED = reply("DELETED");
    private static final Buffer NOT_FOUND = reply("NOT_FOUND");
    private static final Buffer ERROR = reply("ERROR");
    private static final Buffer BAD_FORMAT = reply("CLIENT_ERROR bad command line format");
    private static final Buffer BAD_DATA_CHUNK = reply("CLIENT_ERROR bad data chunk");
    private static final Buffer TOO_LARGE = reply("SERVER_ERROR object too large for cache");
    private static final Buffer LINE_TOO_LONG = reply("CLIENT_ERROR line too long");

    private record Item(int flags, byte[] value, long cas, long expiresAtMillis) {
        boolean expired(long now) {
            return expiresAtMillis != 0 && now >= expiresAtMillis;
        }
    }

    private final Vertx vertx;
    private final String version;
    private final long maxBytes;
    /** In access order, so iteration starts at the least recently used item. */
    private final LinkedHashMap<String, Item> items = new LinkedHashMap<>(16, 0.75f, true);
    private long storedBytes;
    private long lastCas;
    private long evictions;
    /** The counters memcached's {@code stats} gives and Memgrate's node statistics read. */
    private final long startedNanos = System.nanoTime();
    private long gets;
    private long hits;
    private long sets;
    private int connections;
    private NetServer server;

    public InProcessMemcached(Vertx vertx, String version, long maxBytes) {
        if (maxBytes < MAX_ITEM_BYTES + MAX_KEY_BYTES) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " cannot hold one item of the largest size");
        }
        this.vertx = vertx;
        this.version = version;
        this.maxBytes = maxBytes;
    }

    /** Starts listening on {@code host:port} (0 picks a free port); completes with the bound port. */
    public synchronized Future<Integer> start(String host, int port) {
        server = vertx.createNetServer().connectHandler(this::serve);
        return server.listen(port, host).map(NetServer::actualPort);
    }

    /** Stops listening and closes every open connection. */
    public synchronized Future<Void> stop() {
        NetServer running = server;
        server = null;
        return running == null ? Future.succeededFuture() : running.close();
    }

    private void serve(NetSocket socket) {
        connected(1);
        socket.closeHandler(v -> connected(-1));
        new Connection(socket).start();
    }

    private synchronized void connected(int change) {
        connections += change;
    }

    /** One client connection: reads command lines, and the data block after a storage command's line. */
    private final class Connection implements TextStreamSplitter.Handler {
        private final NetSocket socket;
        private final TextStreamSplitter splitter = new TextStreamSplitter(MAX_LINE_BYTES, this);
        private String[] pendingStorage;
        private Buffer pendingValue;
        private boolean valueTooLarge;

        Connection(NetSocket socket) {
            this.socket = socket;
        }

        void start() {
            socket.handler(splitter::feed);
        }

        @Override
        public long line(Buffer line) {
            String text = TextStreamSplitter.text(line).trim();
            String[] tokens = text.isEmpty() ? new String[] { "" } : text.split(" +");
            switch (tokens[0]) {
                case "get", "gets" -> get(tokens, tokens[0].equals("gets"));
                case "set", "add", "replace" -> {
                    return storageLine(tokens);
                }
                case "delete" -> delete(tokens);
                case "flush_all" -> flushAll(tokens);
                case "version" -> socket.write(reply("VERSION " + version));
                case "stats" -> socket.write(stats());
                case "quit" -> {
                    splitter.stop();
                    socket.close();
                }
                default -> socket.write(ERROR);
            }
            return 0;
        }

        private long storageLine(String[] tokens) {
            long bytes = tokens.length == 5 || tokens.length == 6 ? TextStreamSplitter.count(tokens[4]) : -1;
            if (bytes < 0 || !validKey(tokens[1]) || !isInteger(tokens[2]) || !isInteger(tokens[3])
                    || Long.parseLong(tokens[2]) < 0 || Long.parseLong(tokens[2]) > 0xFFFFFFFFL) {
                // like memcached: no data block is expected, so the next line is read as a command
                socket.write(BAD_FORMAT);
                return 0;
            }
            pendingStorage = tokens;
            valueTooLarge = bytes > MAX_ITEM_BYTES;
            pendingValue = valueTooLarge ? null : Buffer.buffer((int) bytes + 2);
            return bytes + 2;
        }

        @Override
        public void data(Buffer chunk) {
            if (pendingValue != null) {
                pendingValue.appendBuffer(chunk);
            }
        }

        @Override
        public void dataEnd() {
            String[] tokens = pendingStorage;
            Buffer data = pendingValue;
            pendingStorage = null;
            pendingValue = null;
            boolean noreply = tokens.length == 6 && tokens[5].equals("noreply");
            if (valueTooLarge) {
                // memcached reads and drops the whole block, then answers, even for noreply
                socket.write(TOO_LARGE);
                return;
            }
            int length = data.length() - 2;
            if (data.getByte(length) != '\r' || data.getByte(length + 1) != '\n') {
                socket.write(BAD_DATA_CHUNK);
                return;
            }
            counted();
            boolean stored = store(tokens[0], tokens[1], (int) Long.parseLong(tokens[2]), Long.parseLong(tokens[3]),
                    data.getBytes(0, length));
            if (!noreply) {
                socket.write(stored ? STORED : NOT_STORED);
            }
        }

        private void get(String[] tokens, boolean withCas) {
            if (tokens.length < 2) {
                socket.write(ERROR);
                return;
            }
            Buffer reply = Buffer.buffer();
            for (int i = 1; i < tokens.length; i++) {
                if (!validKey(tokens[i])) {
                    socket.write(BAD_FORMAT);
                    return;
                }
                Item item = lookUpCounted(tokens[i]);
                if (item != null) {
                    reply.appendString("VALUE " + tokens[i] + " " + Integer.toUnsignedString(item.flags()) + " "
                            + item.value().length + (withCas ? " " + item.cas() : "") + "\r\n", "ISO-8859-1")
                            .appendBytes(item.value()).appendString("\r\n");
                }
            }
            socket.write(reply.appendBuffer(END));
        }

        private void delete(String[] tokens) {
            boolean noreply = tokens[tokens.length - 1].equals("noreply");
            // memcached still accepts the old form with a hold time of 0: delete <key> 0 [noreply]
            int holdTokens = tokens.length - (noreply ? 3 : 2);
            if (tokens.length < 2 || holdTokens > 1 || (holdTokens == 1 && !tokens[2].equals("0")) || !validKey(tokens[1])) {
                socket.write(BAD_FORMAT);
                return;
            }
            boolean deleted = remove(tokens[1]);
            if (!noreply) {
                socket.write(deleted ? DELETED : NOT_FOUND);
            }
        }

        private void flushAll(String[] tokens) {
            clear();
            if (!(tokens.length == 2 && tokens[1].equals("noreply"))) {
                socket.write(reply("OK"));
            }
        }

        @Override
        public void lineTooLong() {
            socket.end(LINE_TOO_LONG);
        }
    }

    /** A client's get of {@code key}: counted, as a hit or a miss. */
    private synchronized Item lookUpCounted(String key) {
        Item item = lookUp(key);
        gets++;
        if (item != null) {
            hits++;
        }
        return item;
    }

    /** A client's storage command, counted as memcached's {@code cmd_set} counts it. */
    private synchronized void counted() {
        sets++;
    }

    private synchronized Item lookUp(String key) {
        Item item = items.get(key);
        if (item != null && item.expired(System.currentTimeMillis())) {
            remove(key);
            return null;
        }
        return item;
    }

    private synchronized boolean store(String mode, String key, int flags, long exptime, byte[] value) {
        boolean present = lookUp(key) != null;
        if ((mode.equals("add") && present) || (mode.equals("replace") && !present)) {
            return false;
        }
        remove(key);
        long charge = charge(key, value);
        for (Iterator<Map.Entry<String, Item>> lru = items.entrySet().iterator(); storedBytes + charge > maxBytes && lru.hasNext();) {
            Map.Entry<String, Item> oldest = lru.next();
            storedBytes -= charge(oldest.getKey(), oldest.getValue().value());
            lru.remove();
            evictions++;
        }
        items.put(key, new Item(flags, value, ++lastCas, expiresAt(exptime)));
        storedBytes += charge;
        return true;
    }

    private static long expiresAt(long exptime) {
        if (exptime == 0) {
            return 0;
        }
        if (exptime < 0) {
            return 1; // already expired, as memcached treats a negative exptime
        }
        return exptime > MAX_RELATIVE_EXPTIME ? exptime * 1000 : System.currentTimeMillis() + exptime * 1000;
    }

    private synchronized boolean remove(String key) {
        Item removed = items.remove(key);
        if (removed != null) {
            storedBytes -= charge(key, removed.value());
        }
        return removed != null;
    }

    private synchronized void clear() {
        items.clear();
        storedBytes = 0;
    }

    private synchronized Buffer stats() {
        return Buffer.buffer("STAT pid " + ProcessHandle.current().pid() + "\r\n"
                + "STAT uptime " + (System.nanoTime() - startedNanos) / 1_000_000_000L + "\r\n"
                + "STAT version " + version + "\r\n"
                + "STAT curr_connections " + connections + "\r\n"
                + "STAT cmd_get " + gets + "\r\n"
                + "STAT cmd_set " + sets + "\r\n"
                + "STAT get_hits " + hits + "\r\n"
                + "STAT get_misses " + (gets - hits) + "\r\n"
                + "STAT curr_items " + items.size() + "\r\n"
                + "STAT bytes " + storedBytes + "\r\n"
                + "STAT limit_maxbytes " + maxBytes + "\r\n"
                + "STAT evictions " + evictions + "\r\n"
                + "END\r\n");
    }

    /** What an item counts against {@code maxBytes}: its key and value. */
    private static long charge(String key, byte[] value) {
        return key.length() + value.length;
    }

    private static boolean validKey(String key) {
        return !key.isEmpty() && key.length() <= MAX_KEY_BYTES;
    }

    private static boolean isInteger(String token) {
        return token.matches("-?[0-9]{1,18}");
    }

    private static Buffer reply(String text) {
        return Buffer.buffer((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
}
