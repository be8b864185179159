package io.memgrate.merge;

import io.memgrate.protocol.ClusterConfig;
import io.memgrate.protocol.Replies;
import io.vertx.core.buffer.Buffer;

/** The merged configuration being served, with both reply forms built once so requests only write them. */
public record ServedConfig(ClusterConfig config, Buffer configReply, Buffer legacyReply) {

    static ServedConfig of(ClusterConfig config) {
        return new ServedConfig(config, Buffer.buffer(Replies.config(config)), Buffer.buffer(Replies.legacyConfig(config)));
    }
}
