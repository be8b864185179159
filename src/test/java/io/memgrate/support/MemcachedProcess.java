package io.memgrate.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real memcached server (the Debian package) on a free loopback port, for the tests' cache nodes. The benchmark
 * starts its memcached with the same {@link #command}.
 */
public final class MemcachedProcess implements AutoCloseable {

    private final int port;
    private volatile Process process;

    private MemcachedProcess(int port) {
        this.port = port;
    }

    public static MemcachedProcess start() {
        MemcachedProcess memcached = new MemcachedProcess(FreePorts.next());
        memcached.launch();
        return memcached;
    }

    /**
     * The command line of a memcached on 127.0.0.1:{@code port} with {@code threads} worker threads, at most
     * {@code connections} connections and {@code megabytes} of item memory, without UDP.
     */
    public static List<String> command(int port, int threads, int connections, int megabytes) {
        List<String> command = new ArrayList<>(List.of(binary(), "-l", "127.0.0.1", "-p", String.valueOf(port),
                "-U", "0", "-t", String.valueOf(threads), "-c", String.valueOf(connections), "-m", String.valueOf(megabytes)));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "root"));
        }
        return command;
    }

    /** What {@code memcached -V} prints, such as {@code memcached 1.6.21}. */
    public static String version() {
        try {
            Process p = new ProcessBuilder(binary(), "-V").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return text;
        } catch (IOException | InterruptedException e) {
            return "memcached ?";
        }
    }

    private static String binary() {
        for (String candidate : List.of("/usr/bin/memcached", "/usr/local/bin/memcached")) {
            if (new java.io.File(candidate).canExecute()) {
                return candidate;
            }
        }
        throw new IllegalStateException("memcached is not installed: the tests need real memcached nodes"
                + " (apt-get install -y memcached)");
    }

    private void launch() {
        try {
            process = new ProcessBuilder(command(port, 1, 256, 16)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start memcached: " + e.getMessage(), e);
        }
        await("memcached on port " + port).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions().until(() -> command("version\r\n").startsWith("VERSION "));
    }

    /** Starts this node again, empty and on the same port, if it was closed (a test let it die). */
    public synchronized void restartIfStopped() {
        if (!process.isAlive()) {
            launch();
        }
    }

    public int port() {
        return port;
    }

    /** Sends one command and returns the reply up to its END / single line, as text. */
    public String command(String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                reply.append((char) b);
                String text = reply.toString();
                if (text.endsWith("END\r\n") || (!text.startsWith("VALUE") && !text.startsWith("STAT") && text.endsWith("\r\n"))) {
                    break;
                }
            }
            return reply.toString();
        }
    }

    /** The number of items stored in this node (from its stats). */
    public long items() throws IOException {
        for (String line : command("stats\r\n").split("\r\n")) {
            if (line.startsWith("STAT curr_items ")) {
                return Long.parseLong(line.substring("STAT curr_items ".length()));
            }
        }
        throw new IllegalStateException("memcached on port " + port + " reports no curr_items");
    }

    @Override
    public synchronized void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
