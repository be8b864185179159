package io.memgrate.transport;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.spi.VertxThreadFactory;
import io.vertx.core.spi.transport.Transport;

/**
 * A Vert.x event loop on a thread of its own, outside Vert.x's pool. Vert.x 4 puts every connection of a server, and
 * any other work started from a new context, on event loops of one shared pool, so background work can land on the
 * very loop that answers all the clients; work on a loop of its own is a thread the operating system preempts when a
 * client's request arrives. Its sockets are of the same transport as Vert.x's own. Vert.x offers this only through
 * its internals, which is why it lives here, next to {@link ChannelAccess}.
 */
public final class OwnEventLoop implements AutoCloseable {

    /** Vert.x's default: share the loop's time evenly between I/O and tasks. */
    private static final int IO_RATIO = 50;

    private final EventLoopGroup group;
    private final Context context;

    private OwnEventLoop(EventLoopGroup group, Context context) {
        this.group = group;
        this.context = context;
    }

    /** Starts the loop's thread, named {@code threadName} (as thread dumps and {@code top -H} show it). */
    public static OwnEventLoop start(Vertx vertx, String threadName) {
        VertxInternal internal = (VertxInternal) vertx;
        // a Vert.x thread, so that Vertx.currentContext() finds the context on it as on Vert.x's own loops
        EventLoopGroup group = internal.transport().eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, 1, task -> {
            Thread thread = VertxThreadFactory.INSTANCE.newVertxThread(task, threadName, false,
                    internal.maxEventLoopExecTime(), internal.maxEventLoopExecTimeUnit());
            // never what keeps a JVM up: close() ends it on a stop
            thread.setDaemon(true);
            return thread;
        }, IO_RATIO);
        return new OwnEventLoop(group, internal.createEventLoopContext(group.next(), null,
                Thread.currentThread().getContextClassLoader()));
    }

    /** The context whose tasks, timers and connections run on this loop. */
    public Context context() {
        return context;
    }

    /** Runs the tasks already submitted (a stop's connection closes among them), then ends the thread. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    }
}
