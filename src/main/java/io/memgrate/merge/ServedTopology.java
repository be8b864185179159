package io.memgrate.merge;

import java.nio.ByteBuffer;

import io.memgrate.cluster.Topology;
import io.memgrate.protocol.Replies;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/** The merged configuration being served, with both reply forms built once so requests only write them. */
public record ServedTopology(Topology config, Buffer configReply, Buffer legacyReply) {

    static ServedTopology of(Topology config) {
        return new ServedTopology(config, offHeap(Replies.config(config)), offHeap(Replies.legacyConfig(config)));
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
