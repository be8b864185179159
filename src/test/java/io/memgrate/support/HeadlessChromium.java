package io.memgrate.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the Chrome DevTools Protocol, through the JDK's own
 * WebSocket client: one page, in a fresh profile that is deleted on {@link #close()}. Every wait is bounded.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration COMMAND = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts Chromium with a {@code width} x {@code height} window; fails (never skips) when it is not installed. */
    public static HeadlessChromium start(int width, int height) {
        String binary = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst().orElseThrow(() -> new IllegalStateException(
                        "chromium is not installed: the page tests need a real browser (apt-get install -y chromium)"));
        Path profile;
        Process process;
        try {
            profile = Files.createTempDirectory("memgrate-chromium");
            process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                    "--hide-scrollbars", "--window-size=" + width + "," + height, "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        try {
            // Chromium writes the port it chose into the profile once DevTools listens.
            Path portFile = profile.resolve("DevToolsActivePort");
            await("chromium's DevTools port").atMost(START).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> Files.readAllLines(portFile).size() >= 2);
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newBuilder().connectTimeout(COMMAND).build();
            String page = await("chromium's page target").atMost(START).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> pageTarget(http, port), url -> url != null);
            Listener listener = new Listener();
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(COMMAND).buildAsync(URI.create(page), listener)
                    .get(COMMAND.toSeconds(), TimeUnit.SECONDS);
            HeadlessChromium chromium = new HeadlessChromium(process, profile, socket);
            listener.chromium = chromium;
            chromium.send("Runtime.enable", Map.of());
            chromium.send("Page.enable", Map.of());
            chromium.send("Log.enable", Map.of());
            return chromium;
        } catch (Exception | AssertionError e) {
            stop(process, profile);
            throw new IllegalStateException("chromium started but cannot be driven: " + e, e);
        }
    }

    private static String pageTarget(HttpClient http, int port) throws IOException, InterruptedException {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .timeout(COMMAND).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(list.body())) {
            if ("page".equals(target.path("type").asText())) {
                return target.path("webSocketDebuggerUrl").asText();
            }
        }
        return null;
    }

    /** Opens {@code url} and waits until its document has loaded. */
    public void open(String url) {
        send("Page.navigate", Map.of("url", url));
        await("page " + url + " loaded").atMost(COMMAND).pollInterval(Duration.ofMillis(100))
                .until(() -> "complete".equals(evaluate("document.readyState").asText()));
    }

    /** The value of a JavaScript expression evaluated in the page (promises awaited). */
    public JsonNode evaluate(String expression) {
        JsonNode result = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("page script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Writes a PNG of the whole page (not only the window) to {@code file}. */
    public void screenshot(Path file) {
        JsonNode size = send("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", size.path("width").asDouble(),
                "height", size.path("height").asDouble(), "scale", 1);
        JsonNode shot = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Uncaught exceptions, console errors and the browser's own errors about the page (a Content-Security-Policy
     * violation, a resource that failed to load) so far.
     */
    public List<String> pageErrors() {
        return List.copyOf(errors);
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode send(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            socket.sendText(message.toString(), true).get(COMMAND.toSeconds(), TimeUnit.SECONDS);
            JsonNode answer = reply.get(COMMAND.toSeconds(), TimeUnit.SECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException(method + " failed: " + answer.get("error"));
            }
            return answer.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(method + " got no answer within " + COMMAND + ": " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    private void received(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> reply = pending.get(message.get("id").asInt());
                if (reply != null) {
                    reply.complete(message);
                }
            } else if ("Runtime.exceptionThrown".equals(message.path("method").asText())) {
                errors.add(message.path("params").path("exceptionDetails").toString());
            } else if ("Log.entryAdded".equals(message.path("method").asText())
                    && "error".equals(message.path("params").path("entry").path("level").asText())) {
                // the browser's own errors: a Content-Security-Policy violation, a resource that failed to load
                errors.add(message.path("params").path("entry").toString());
            } else if ("Runtime.consoleAPICalled".equals(message.path("method").asText())
                    && "error".equals(message.path("params").path("type").asText())) {
                errors.add(message.path("params").path("args").toString());
            }
        } catch (IOException e) {
            errors.add("unreadable DevTools message: " + e);
        }
    }

    /** Collects a message's frames and hands over each whole message. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();
        volatile HeadlessChromium chromium;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                if (chromium != null) {
                    chromium.received(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        socket.abort();
        stop(process, profile);
    }

    /** Ends Chromium and the helper processes it started, then deletes the profile. */
    private static void stop(Process process, Path profile) {
        List<ProcessHandle> helpers = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        helpers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless; the browser is gone
        }
    }
}
