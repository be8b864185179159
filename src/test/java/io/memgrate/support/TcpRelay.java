package io.memgrate.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a port, which a test cuts (connections refused, open ones closed) and restores on
 * the same port: Memgrate disappears for its clients without being stopped. Its threads end when it is cut or closed.
 */
public final class TcpRelay implements AutoCloseable {

    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    public TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Refuses new connections and closes the open ones. */
    public synchronized void cut() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
    }

    /** Takes connections again, on the same port. */
    public synchronized void restore() throws IOException {
        listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private void listen(InetSocketAddress address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
        listener = server;
        start("relay-accept-" + server.getLocalPort(), () -> acceptUntilClosed(server));
    }

    private void acceptUntilClosed(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(target);
                start("relay-up", () -> copy(client, target));
                start("relay-down", () -> copy(target, client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Copies until either side closes, then closes both. */
    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException closed) {
            // cut, or the other side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    private static void start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
