package io.memgrate.client.xmemcached;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One reused connection to Memgrate that asks {@code config get <key>}, trying the endpoints in turn after a failure.
 * Blocking, with a timeout on every step: it runs on the client's poller thread, never on its I/O thread. Replies are
 * read strictly and within {@link #MAX_CONFIG_BYTES}, so a garbage or endless answer fails the poll, not the client.
 */
final class ConfigEndpointConnection implements Closeable {

    /** Far above any cluster's list (a node is under 300 bytes), far below what could hurt the application. */
    static final int MAX_CONFIG_BYTES = 1 << 20;
    private static final int MAX_HEADER_BYTES = 1024;
    private static final byte[] TRAILER = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);

    private final List<InetSocketAddress> endpoints;
    private final int timeoutMillis;
    private int current;
    private Socket socket;

    ConfigEndpointConnection(List<InetSocketAddress> endpoints, int timeoutMillis) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("Give Memgrate's address as the configuration endpoint");
        }
        this.endpoints = new ArrayList<InetSocketAddress>(endpoints);
        this.timeoutMillis = timeoutMillis;
    }

    /** The endpoint asked last, or to be asked next after a failure. */
    synchronized InetSocketAddress endpoint() {
        return endpoints.get(current);
    }

    /**
     * @return the configuration's data block: the version line and the node line
     * @throws IOException when the endpoint cannot be reached, times out or answers anything but a configuration;
     *                     the next call reconnects, to the next endpoint when there are several
     */
    synchronized String fetch(String key) throws IOException {
        try {
            if (socket == null) {
                socket = connect(endpoints.get(current));
            }
            OutputStream out = socket.getOutputStream();
            out.write(("config get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readConfig(socket.getInputStream(), key);
        } catch (IOException e) {
            close();
            current = (current + 1) % endpoints.size();
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection: nothing left to do
            }
            socket = null;
        }
    }

    private Socket connect(InetSocketAddress endpoint) throws IOException {
        // resolved again on every connection, so a DNS name that moves (a Kubernetes Service) is followed
        InetSocketAddress resolved = new InetSocketAddress(endpoint.getHostString(), endpoint.getPort());
        Socket connected = new Socket();
        try {
            connected.connect(resolved, timeoutMillis);
            connected.setSoTimeout(timeoutMillis);
            connected.setTcpNoDelay(true);
            return connected;
        } catch (IOException e) {
            connected.close();
            throw e;
        }
    }

    /** {@code CONFIG <key> <flags> <bytes>\r\n<data>\r\nEND\r\n}, nothing else. */
    static String readConfig(InputStream in, String key) throws IOException {
        String header = readLine(in);
        String[] words = header.split(" ", -1);
        if (words.length != 4 || !words[0].equals("CONFIG") || !words[1].equals(key) || !isDigits(words[2])
                || !isDigits(words[3])) {
            throw new IOException("Not a configuration reply to 'config get " + key + "': '" + header
                    + "'. Is the endpoint Memgrate (or an ElastiCache configuration endpoint)?");
        }
        long length = Long.parseLong(words[3]);
        if (length > MAX_CONFIG_BYTES) {
            throw new IOException("Configuration of " + length + " bytes is over the limit of " + MAX_CONFIG_BYTES);
        }
        byte[] data = readFully(in, (int) length);
        byte[] trailer = readFully(in, TRAILER.length);
        if (!Arrays.equals(trailer, TRAILER)) {
            throw new IOException("Configuration reply does not end with END after its " + length + " bytes");
        }
        return new String(data, StandardCharsets.US_ASCII);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (line.size() <= MAX_HEADER_BYTES) {
            int next = in.read();
            if (next < 0) {
                throw new EOFException("Connection closed before a whole reply line");
            }
            if (previous == '\r' && next == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
            }
            line.write(next);
            previous = next;
        }
        throw new IOException("Reply line longer than " + MAX_HEADER_BYTES + " bytes");
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int read = 0;
        while (read < length) {
            int n = in.read(bytes, read, length - read);
            if (n < 0) {
                throw new EOFException("Connection closed after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        return bytes;
    }

    private static boolean isDigits(String word) {
        if (word.isEmpty() || word.length() > 10) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) < '0' || word.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
