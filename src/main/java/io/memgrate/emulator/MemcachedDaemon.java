package io.memgrate.emulator;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real memcached process on a loopback port. It never outlives the JVM that started it, even one killed with
 * {@code kill -9}: it runs under a small shell that holds a pipe from the JVM and stops memcached when the pipe
 * closes, which the kernel does when the JVM dies. (A JVM shutdown hook would not run on {@code kill -9}.)
 */
public final class MemcachedDaemon implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Runs memcached ({@code "$@"}) in the background and waits for the end of its standard input, then stops it.
     * SIGINT and SIGHUP are ignored: Ctrl+C in the terminal of {@code quarkus:dev} reaches the whole process group,
     * and the shell must live until the JVM is gone to stop memcached.
     */
    private static final String STOP_WITH_THE_JVM = "trap '' INT HUP; \"$@\" & node=$!; read -r _; kill $node; wait $node";

    private final Process watchdog;
    private final int port;

    private MemcachedDaemon(Process watchdog, int port) {
        this.watchdog = watchdog;
        this.port = port;
    }

    /** The memcached executable on the {@code PATH}, if any. */
    public static Optional<Path> findOnPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, "memcached");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts {@code binary} on {@code 127.0.0.1:port} with {@code memoryMb} of cache memory and waits until it
     * answers. Blocks: call at start-up only.
     */
    public static MemcachedDaemon start(Path binary, int port, int memoryMb) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", STOP_WITH_THE_JVM, "memcached-watchdog",
                binary.toString(), "-l", "127.0.0.1", "-p", String.valueOf(port), "-U", "0", "-m", String.valueOf(memoryMb),
                "-t", "1", "-c", "1024"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "root")); // memcached refuses to run as root without it
        }
        Process process;
        try {
            process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        MemcachedDaemon daemon = new MemcachedDaemon(process, port);
        daemon.awaitAnswering(binary);
        return daemon;
    }

    private void awaitAnswering(Path binary) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answersVersion()) {
            if (System.nanoTime() > deadline || !watchdog.isAlive()) {
                close();
                throw new IllegalStateException(binary + " did not answer on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT.toSeconds() + " s (its own message, if any, is in the log above)");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while starting memcached", e);
            }
        }
    }

    private boolean answersVersion() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            socket.getOutputStream().write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] expected = "VERSION ".getBytes(StandardCharsets.US_ASCII);
            for (byte b : expected) {
                if (in.read() != b) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** Stops memcached: closing the pipe lets the shell stop it; anything still running after that is killed. */
    @Override
    public void close() {
        try {
            watchdog.getOutputStream().close();
            if (watchdog.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (IOException e) {
            // the pipe is already closed: fall through and kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.descendants().forEach(ProcessHandle::destroyForcibly);
        watchdog.destroyForcibly();
    }
}
