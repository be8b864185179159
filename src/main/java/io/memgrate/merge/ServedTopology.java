package io.memgrate.merge;

import java.nio.ByteBuffer;

import io.memgrate.cluster.Topology;
import io.memgrate.protocol.Replies;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * The merged topology being served, with both reply forms built once so a request only writes them. The reply
 * buffers are shared by every client and never handed out: only this class writes them.
 */
public final class ServedTopology {

    private final Topology topology;
    private final Buffer configReply;
    private final Buffer legacyReply;

    private ServedTopology(Topology topology) {
        this.topology = topology;
        this.configReply = offHeap(Replies.config(topology));
        this.legacyReply = offHeap(Replies.legacyConfig(topology));
    }

    static ServedTopology of(Topology topology) {
        return new ServedTopology(topology);
    }

    public Topology topology() {
        return topology;
    }

    /** Writes the answer to {@code config get cluster}. */
    public void writeConfigReply(WriteStream<Buffer> client) {
        // no completion handler: nothing acts on a failed write, so a per-write Future would be allocated for nothing
        client.write(configReply, null);
    }

    /** Writes the answer to the legacy {@code get AmazonElastiCache:cluster}. */
    public void writeLegacyReply(WriteStream<Buffer> client) {
        client.write(legacyReply, null);
    }

    /**
     * The bytes in direct (off-heap) memory, which sockets write as they are: a heap buffer would be copied into a
     * direct one on every write. Unreleasable, as it is shared by every write; the JDK frees the memory once the
     * buffer is unreachable.
     */
    private static Buffer offHeap(byte[] bytes) {
        ByteBuffer memory = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(memory)));
    }
}
