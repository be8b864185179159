package io.memgrate.emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Topology;
import io.memgrate.protocol.ClientCommand;
import io.memgrate.protocol.Replies;
import io.memgrate.transport.ChannelAccess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The advertised address of one emulated cache node. Like a real ElastiCache node it answers
 * {@code config get cluster} and {@code get AmazonElastiCache:cluster} with its own cluster's current configuration
 * (the AWS Java cluster client and xmemcached send their later polls to cache nodes); every other byte goes to and
 * from the node's store (a memcached process or {@link InProcessMemcached}) unchanged.
 *
 * <p>Clients pipeline, so a configuration answer must come after the replies to the commands before it. The front
 * therefore sends the store a {@code version} in its place and writes the configuration where the store's
 * {@code VERSION} reply comes back. Both directions are split by {@link TextStreamSplitter}, so bytes inside a
 * value (of a {@code set} or a {@code VALUE} reply) are never read as a command or a reply line.
 */
public final class NodeFront {

    private static final int MAX_LINE_BYTES = InProcessMemcached.MAX_LINE_BYTES;
    private static final Buffer VERSION_REQUEST = Buffer.buffer("version\r\n");
    private static final Buffer LINE_TOO_LONG = Buffer.buffer("CLIENT_ERROR line too long\r\n");

    /** What each {@code VERSION} reply the store will send stands for, in order. */
    private enum VersionReply {
        CLIENTS_OWN, CONFIG, LEGACY_CONFIG
    }

    private final Vertx vertx;
    private final Supplier<Topology> clusterConfig;
    private final HostAndPort storeAddress;
    private NetClient storeClient;
    private NetServer server;

    /** {@code clusterConfig} is read at each answer, so node list changes show at once. */
    public NodeFront(Vertx vertx, Supplier<Topology> clusterConfig, HostAndPort store) {
        this.vertx = vertx;
        this.clusterConfig = clusterConfig;
        this.storeAddress = store;
    }

    /** Starts listening on {@code host:port} (0 picks a free port); completes with the bound port. */
    public synchronized Future<Integer> start(String host, int port) {
        storeClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
        server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true)).connectHandler(this::accept);
        return server.listen(port, host).map(NetServer::actualPort);
    }

    /** Stops listening and closes every open connection. */
    public synchronized Future<Void> stop() {
        NetServer running = server;
        NetClient client = storeClient;
        server = null;
        storeClient = null;
        return running == null ? Future.succeededFuture() : running.close().eventually(v -> client.close());
    }

    private void accept(NetSocket client) {
        new Relay(client).start();
    }

    /** One client connection and its own connection to the store. */
    private final class Relay {
        private final NetSocket client;
        private final Queue<VersionReply> versionReplies = new ArrayDeque<>();
        /** Null until connected; what the client sent before that waits in {@link #beforeConnected}. */
        private NetSocket store;
        private Buffer beforeConnected = Buffer.buffer();
        private boolean clientInputEnded;
        private Future<Void> lastWriteToStore = Future.succeededFuture();

        Relay(NetSocket client) {
            this.client = client;
        }

        /**
         * Handlers go on the client at once: bytes Netty has already read would otherwise be dropped while the store
         * connection opens. Reading then pauses until it is open.
         */
        void start() {
            autoRead(client, false);
            TextStreamSplitter requests = new TextStreamSplitter(MAX_LINE_BYTES, new RequestStream());
            client.handler(requests::feed);
            // `printf 'get k\r\n' | nc -N node port` ends its sending side after the request: pass that end on to the
            // store once every request is written, so it answers them and then closes, and so does the front
            ChannelAccess.of(client).onInputEnded(() -> {
                clientInputEnded = true;
                endStoreInputAfterLastWrite();
            });
            client.closeHandler(v -> {
                if (store != null) {
                    store.close();
                }
            });
            storeClient.connect(storeAddress.port(), storeAddress.host()).onComplete(connected -> {
                if (connected.failed()) {
                    client.end(Buffer.buffer(Replies.serverError("dev node store at " + storeAddress + " is unreachable: "
                            + connected.cause().getMessage())));
                } else {
                    connected(connected.result());
                }
            });
        }

        private void connected(NetSocket socket) {
            store = socket;
            TextStreamSplitter replies = new TextStreamSplitter(MAX_LINE_BYTES, new ReplyStream());
            store.handler(replies::feed);
            // nothing to read from one side while the other cannot take more
            store.drainHandler(v -> autoRead(client, true));
            client.drainHandler(v -> autoRead(store, true));
            store.closeHandler(v -> client.close());
            Buffer waiting = beforeConnected;
            beforeConnected = null;
            if (waiting.length() > 0) {
                toStore(waiting);
            }
            endStoreInputAfterLastWrite();
            autoRead(client, true);
        }

        private void endStoreInputAfterLastWrite() {
            if (clientInputEnded && store != null) {
                ChannelAccess connectedStore = ChannelAccess.of(store);
                lastWriteToStore.onComplete(v -> connectedStore.shutdownOutput());
            }
        }

        private void toStore(Buffer bytes) {
            if (store == null) {
                beforeConnected.appendBuffer(bytes);
                return;
            }
            lastWriteToStore = store.write(bytes);
            if (store.writeQueueFull()) {
                autoRead(client, false);
            }
        }

        private void toClient(Buffer bytes) {
            client.write(bytes);
            if (client.writeQueueFull()) {
                autoRead(store, false);
            }
        }

        private void closeBoth() {
            client.end(LINE_TOO_LONG);
            if (store != null) {
                store.close();
            }
        }

        /** Client to store: configuration requests become {@code version}, everything else passes unchanged. */
        private final class RequestStream implements TextStreamSplitter.Handler {
            @Override
            public long line(Buffer line) {
                String text = TextStreamSplitter.text(line);
                ClientCommand command = ClientCommand.parse(text.getBytes(StandardCharsets.ISO_8859_1));
                switch (command.kind()) {
                    case CONFIG_GET_CLUSTER -> {
                        versionReplies.add(VersionReply.CONFIG);
                        toStore(VERSION_REQUEST);
                        return 0;
                    }
                    case LEGACY_CONFIG_GET -> {
                        versionReplies.add(VersionReply.LEGACY_CONFIG);
                        toStore(VERSION_REQUEST);
                        return 0;
                    }
                    case VERSION -> versionReplies.add(VersionReply.CLIENTS_OWN);
                    default -> {
                    }
                }
                toStore(line);
                return dataBlockAfter(text.trim().split(" +"));
            }

            @Override
            public void data(Buffer chunk) {
                toStore(chunk);
            }

            @Override
            public void lineTooLong() {
                closeBoth();
            }
        }

        /** Store to client: a {@code VERSION} line that stands for a configuration request becomes its answer. */
        private final class ReplyStream implements TextStreamSplitter.Handler {
            @Override
            public long line(Buffer line) {
                String text = TextStreamSplitter.text(line);
                if (text.startsWith("VERSION ")) {
                    VersionReply meaning = versionReplies.poll();
                    if (meaning == VersionReply.CONFIG) {
                        toClient(Buffer.buffer(Replies.config(clusterConfig.get())));
                        return 0;
                    }
                    if (meaning == VersionReply.LEGACY_CONFIG) {
                        toClient(Buffer.buffer(Replies.legacyConfig(clusterConfig.get())));
                        return 0;
                    }
                }
                toClient(line);
                return dataBlockAfterReply(text.split(" "));
            }

            @Override
            public void data(Buffer chunk) {
                toClient(chunk);
            }

            @Override
            public void lineTooLong() {
                closeBoth();
            }
        }
    }

    /**
     * The bytes of the data block that follows a request line: {@code <bytes>+2} for the storage commands
     * ({@code set}, ..., {@code cas}: 5th token; meta {@code ms}: 3rd token), else 0. A malformed count means no
     * block, as memcached reads it.
     */
    static long dataBlockAfter(String[] tokens) {
        long bytes = switch (tokens[0]) {
            case "set", "add", "replace", "append", "prepend", "cas" -> tokens.length >= 5 ? TextStreamSplitter.count(tokens[4]) : -1;
            case "ms" -> tokens.length >= 3 ? TextStreamSplitter.count(tokens[2]) : -1;
            default -> -1;
        };
        return bytes < 0 ? 0 : bytes + 2;
    }

    /** The bytes of the data block after a reply line: {@code VALUE <key> <flags> <bytes>}, meta {@code VA <bytes>}. */
    static long dataBlockAfterReply(String[] tokens) {
        long bytes = switch (tokens[0]) {
            case "VALUE" -> tokens.length >= 4 ? TextStreamSplitter.count(tokens[3]) : -1;
            case "VA" -> tokens.length >= 2 ? TextStreamSplitter.count(tokens[1]) : -1;
            default -> -1;
        };
        return bytes < 0 ? 0 : bytes + 2;
    }

    private static void autoRead(NetSocket socket, boolean on) {
        ChannelAccess.of(socket).reading(on);
    }
}
