package io.memgrate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server process started by the benchmark (Memgrate's packaged JVM app, or memcached): CPU, memory, stop. */
final class ServerProcess implements AutoCloseable {

    final String name;
    final Process process;
    final Path log;
    final long startedAtNanos;

    private ServerProcess(String name, Process process, Path log, long startedAtNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedAtNanos = startedAtNanos;
    }

    static ServerProcess start(String name, List<String> command, Path log) throws IOException {
        return start(name, command, null, log);
    }

    /** Starts {@code command} in {@code directory} (null: this process's working directory). */
    static ServerProcess start(String name, List<String> command, Path directory, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toAbsolutePath().toFile()));
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        long before = System.nanoTime();
        Process process = builder.start();
        ServerProcess started = new ServerProcess(name, process, log, before);
        Runtime.getRuntime().addShutdownHook(new Thread(started::kill));
        return started;
    }

    long pid() {
        return process.pid();
    }

    /** User + system CPU time consumed so far, from /proc (10 ms resolution). */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Resident set size now (VmRSS), in KiB. */
    long rssKib() {
        return statusKib("VmRSS:");
    }

    /** Peak resident set size so far (VmHWM), in KiB. */
    long peakRssKib() {
        return statusKib("VmHWM:");
    }

    private long statusKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /**
     * Sends {@code request} on a fresh connection and reads until {@code expectedLength} bytes arrived, the
     * server closed, or the timeout passed. Returns what was read (possibly short).
     */
    static byte[] exchange(int port, byte[] request, int expectedLength, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[expectedLength];
            int total = 0;
            try {
                while (total < expectedLength) {
                    int n = in.read(reply, total, expectedLength - total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                    // A short error line ends the wait early.
                    if (total >= 2 && reply[total - 1] == '\n' && reply[total - 2] == '\r' && startsWithError(reply)) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // return what arrived
            }
            return Arrays.copyOf(reply, total);
        }
    }

    private static boolean startsWithError(byte[] reply) {
        String start = new String(reply, 0, Math.min(reply.length, 16), StandardCharsets.US_ASCII);
        return start.startsWith("SERVER_ERROR") || start.startsWith("ERROR") || start.startsWith("CLIENT_ERROR")
                || start.startsWith("STORED") || start.startsWith("NOT_STORED");
    }

    /** HTTP/1.1 GET on 127.0.0.1; returns the status code, or -1 if there is no answer. */
    static int httpStatus(int port, String path, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = socket.getInputStream().readNBytes(12);
            String status = new String(head, StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.") && status.length() == 12 ? Integer.parseInt(status.substring(9, 12)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
