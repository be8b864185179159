package io.memgrate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocketFactory;

/** A raw memcached text-protocol client for byte-exact tests: writes bytes, reads exact byte counts. */
public final class TextClient implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 5000;

    private final Socket socket;
    private final InputStream in;

    public TextClient(int port) {
        this(port, null);
    }

    /** Connects over TLS with {@code tls} (null for plain TCP). */
    public TextClient(int port, SSLSocketFactory tls) {
        try {
            socket = tls == null ? new Socket() : tls.createSocket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TextClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public TextClient send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the client's side of the connection, as {@code nc} does at the end of its input. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads exactly {@code count} bytes (failing on timeout or close), as ISO-8859-1 text. */
    public String read(int count) {
        byte[] bytes = new byte[count];
        int read = 0;
        try {
            while (read < count) {
                int n = in.read(bytes, read, count - read);
                if (n < 0) {
                    throw new IllegalStateException("connection closed after " + read + " of " + count + " bytes: "
                            + new String(bytes, 0, read, StandardCharsets.ISO_8859_1));
                }
                read += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read " + read + " of " + count + " bytes: "
                    + new String(bytes, 0, read, StandardCharsets.ISO_8859_1), e);
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Reads one line including its {@code \r\n}. */
    public String readLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads lines up to and including {@code END\r\n}: a {@code stats} reply. */
    public String readUntilEnd() {
        StringBuilder reply = new StringBuilder();
        String line;
        do {
            line = readLine();
            if (line.isEmpty()) {
                throw new IllegalStateException("connection closed before END: " + reply);
            }
            reply.append(line);
        } while (!line.equals("END\r\n"));
        return reply.toString();
    }

    /** Sends {@code config get cluster} and reads one whole answer: the counted reply, or a one-line error. */
    public String configGet() {
        send("config get cluster\r\n");
        String header = readLine();
        if (!header.startsWith("CONFIG ")) {
            return header;
        }
        return header + read(Integer.parseInt(header.trim().split(" ")[3]) + "\r\nEND\r\n".length());
    }

    /** The {@code config get cluster} answer of the server at {@code port}, on a new connection. */
    public static String configGet(int port) {
        try (TextClient client = new TextClient(port)) {
            return client.configGet();
        }
    }

    /** The {@code stats} reply of the server at {@code port}, asked directly. */
    public static String stats(int port, SSLSocketFactory tls) {
        try (TextClient client = new TextClient(port, tls)) {
            client.send("stats\r\n");
            return client.readUntilEnd();
        }
    }

    /** Sends {@code request} and reads exactly as many bytes as {@code expected} has. */
    public String exchange(String request, String expected) {
        send(request);
        return read(expected.getBytes(StandardCharsets.ISO_8859_1).length);
    }

    /** True when the server closed the connection (end of stream) with no further bytes. */
    public boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
