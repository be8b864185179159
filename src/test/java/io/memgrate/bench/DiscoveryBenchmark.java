package io.memgrate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.HdrHistogram.Histogram;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.memgrate.emulator.EmulatedConfigEndpoint;
import io.memgrate.merge.TopologyMerger;
import io.memgrate.plan.MigrationPlan;
import io.memgrate.protocol.Replies;
import io.memgrate.protocol.TopologyPayload;
import io.memgrate.support.FreePorts;
import io.memgrate.support.MemcachedProcess;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Memgrate against memcached, same bytes on the wire. See docs/performance.md, "Performance"; run with bench/run.sh.
 * <ol>
 * <li>Two emulated configuration endpoints run in this JVM (their own Vert.x, one event loop); Memgrate, the packaged
 * JVM app, is started against them with small-memory JVM options.</li>
 * <li>Start-up: process start to {@code /q/health/ready} = 200, and to the first correct {@code config get cluster}
 * answer; median of several starts.</li>
 * <li>A real memcached holds a value equal to Memgrate's payload, under a key chosen so that request and reply have the
 * same length as Memgrate's.</li>
 * <li>For each connection count: closed-loop load on Memgrate, then on memcached; throughput, latency percentiles,
 * CPU of the generator and of the server, RSS.</li>
 * <li>Upstream requests per minute with 1 and with 1000 clients polling every 100 ms.</li>
 * </ol>
 */
public final class DiscoveryBenchmark {

    /** Memgrate's JVM options as shipped (Dockerfile.jvm, JVM overlay; DeployManifestsTest keeps them equal). */
    public static final String DEFAULT_JVM_OPTS = "-XX:+UseSerialGC -Xms16m -Xmx64m -Xss256k -XX:MaxMetaspaceSize=64m"
            + " -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -XX:CICompilerCount=2"
            + " -XX:-UsePerfData -XX:TrimNativeHeapInterval=2000 -XX:+ExitOnOutOfMemoryError";
    /** The AppCDS archive's file name, next to quarkus-run.jar. */
    public static final String APP_CDS_ARCHIVE = "app-cds.jsa";
    static final byte[] CONFIG_GET = "config get cluster\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Eight characters, so that {@code VALUE <key> 0 <n>} is exactly as long as {@code CONFIG cluster 0 <n>}. */
    static final String MEMCACHED_KEY = "cfgclstr";

    /** The --name=value arguments; the fields below read them, with their defaults (bench/run.sh lists them too). */
    private static final Map<String, String> OPTIONS = new HashMap<>();

    private final StringBuilder report = new StringBuilder();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Path jar = Path.of(option("jar", "target/quarkus-app/quarkus-run.jar"));
    private final String baselineJar = option("baseline-jar", "");
    private final Path outDir = Path.of(option("out", "target/bench"));
    private final List<Integer> connectionCounts = intList("connections", "1,64,1024");
    private final int depth = intOption("depth", 1);
    private final int threads = intOption("threads", 1);
    private final Duration warmup = Duration.ofSeconds(intOption("warmup-seconds", 3));
    private final Duration measure = Duration.ofSeconds(intOption("seconds", 6));
    private final int cpus = Runtime.getRuntime().availableProcessors();
    // Pinning (default with 2+ CPUs): the generator on CPU 0, the server under load on the others, so that each
    // server gets the same CPU whatever its thread count, instead of whatever share the scheduler gives its threads.
    private final boolean pin = Boolean.parseBoolean(option("pin", String.valueOf(cpus >= 2)));
    private final String generatorCpus = option("generator-cpus", "0");
    private final String serverCpus = option("server-cpus", cpus > 2 ? "1-" + (cpus - 1) : "1");
    private final List<String> prefix = pin ? List.of("taskset", "-c", serverCpus) : List.of();
    // A child inherits the CPU affinity of this (pinned) JVM: start-up runs get every CPU back explicitly.
    private final List<String> allCpus = pin ? List.of("taskset", "-c", "0-" + (cpus - 1)) : List.of();
    private final int memcachedThreads = intOption("memcached-threads", pin ? cpuCount(serverCpus) : 2);
    private final int nodesPerCluster = intOption("nodes-per-cluster", 3);
    private final int startupRuns = Math.max(1, intOption("startup-runs", 3));
    private final int rounds = Math.max(1, intOption("rounds", 6));
    private final List<Integer> pollClients = intList("poll-clients", "1,1000");
    private final int pollSeconds = intOption("poll-seconds", 20);
    private final int pollIntervalMillis = intOption("poll-interval-ms", 100);
    private final String refreshInterval = option("refresh-interval", "1s");
    private final List<String> jvmOpts = List.of(option("jvm-opts", DEFAULT_JVM_OPTS).trim().split("\\s+"));
    private final Set<String> phases = Set.of(option("phases", "startup,load,poll,nodes").split(","));
    private final int statsNodes = intOption("stats-nodes", 200);
    private final boolean statsFaulty = Boolean.parseBoolean(option("stats-faulty", "true"));
    private final String statsInterval = option("stats-interval", "1s");
    private final int statsClients = intOption("stats-clients", 50);
    private final int statsPollMillis = intOption("stats-poll-interval-ms", 10);
    private final Duration statsWarmup = Duration.ofSeconds(intOption("stats-warmup-seconds", 8));
    private final Duration statsMeasure = Duration.ofSeconds(intOption("stats-seconds", 12));
    private final int statsRounds = Math.max(1, intOption("stats-rounds", 3));

    /** Validation errors so far (replies not byte-identical, closed connections). */
    private int errors;

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("arguments are --name=value, got " + arg);
            }
            OPTIONS.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int failures = new DiscoveryBenchmark().run();
        System.exit(failures == 0 ? 0 : 1);
    }

    private static String option(String name, String fallback) {
        return OPTIONS.getOrDefault(name, fallback);
    }

    private static int intOption(String name, int fallback) {
        return Integer.parseInt(option(name, String.valueOf(fallback)));
    }

    private static List<Integer> intList(String name, String fallback) {
        String value = option(name, fallback).trim();
        return value.isEmpty() ? List.of() : Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }

    private void out(String format, Object... args) {
        String line = args.length == 0 ? format : String.format(Locale.ROOT, format, args);
        System.out.println(line);
        report.append(line).append('\n');
    }

    /** A server under load: one of the Memgrate builds, or memcached. */
    private record Target(String name, ServerProcess process, int port, byte[] request, byte[] reply) {
    }

    /** What Memgrate answers and, with requests and replies of the same lengths, what memcached is asked and answers. */
    private record Exchanges(byte[] payload, byte[] memgrateReply, byte[] memcachedRequest, byte[] memcachedReply) {
    }

    /** One Memgrate build (the one under test, or the --baseline-jar one to compare with) and its start-up numbers. */
    private static final class Variant {
        final String name;
        /** Without CPU pinning: start-up is timed as the app would start on this machine. */
        final List<String> command = new ArrayList<>();
        /** The instance put under load: {@code taskset} prefix (when pinning) + {@link #command}. */
        final List<String> loadCommand = new ArrayList<>();
        /** The jar's directory: Memgrate runs in it. */
        final Path directory;
        final Path jar;
        final List<String> jvmOpts;
        final int listenPort = FreePorts.next();
        final int httpPort = FreePorts.next();
        final List<Double> healthMillis = new ArrayList<>();
        final List<Double> answerMillis = new ArrayList<>();
        long idleRssKib = -1;
        long loadRssKib = -1;
        ServerProcess process;

        Variant(String name, List<String> allCpus, List<String> prefix, Path jar, List<String> jvmOpts, int oldPort,
                int newPort, String refreshInterval) {
            this.name = name;
            this.directory = jar.toAbsolutePath().getParent();
            this.jar = jar;
            this.jvmOpts = jvmOpts;
            command.addAll(allCpus);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOpts);
            // the class-data archive the build writes next to the jar (quarkus.package.jar.appcds), as the image uses
            // it; it records the jar's path as given when it was written, so the jar runs from its own directory
            if (Files.exists(directory.resolve(APP_CDS_ARCHIVE))) {
                command.add("-XX:SharedArchiveFile=" + APP_CDS_ARCHIVE);
            }
            command.addAll(List.of(
                    "-Dmemgrate.listen.host=127.0.0.1", "-Dmemgrate.listen.port=" + listenPort,
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort,
                    "-Dmemgrate.primary.endpoint=127.0.0.1:" + oldPort,
                    "-Dmemgrate.secondary.endpoint=127.0.0.1:" + newPort,
                    "-Dmemgrate.refresh-interval=" + refreshInterval,
                    "-jar", jar.getFileName().toString()));
            loadCommand.addAll(prefix);
            loadCommand.addAll(command.subList(allCpus.size(), command.size()));
        }
    }

    /** Returns the number of errors (validation failures); targets missed are reported, not counted. */
    private int run() throws Exception {
        for (String candidate : baselineJar.isEmpty() ? List.of(jar.toString()) : List.of(jar.toString(), baselineJar)) {
            if (!Files.isRegularFile(Path.of(candidate))) {
                throw new IllegalStateException(candidate + " not found: run ./mvnw -B package -DskipTests first (bench/run.sh does)");
            }
        }
        Files.createDirectories(outDir);
        out("# Memgrate discovery benchmark, %s", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        out("machine: %d CPUs (%s), %s; %s %s", cpus, cpuModel(),
                memTotal(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
        if (pin) {
            pinSelf(generatorCpus);
            out("CPU pinning: generator (this JVM, %d NIO thread(s)) on CPU %s; Memgrate and memcached on CPU %s"
                    + " (taskset), one at a time under load; loopback only", threads, generatorCpus, serverCpus);
        } else {
            out("no CPU pinning: generator (%d NIO thread(s)) and servers share all CPUs (loopback only)", threads);
        }

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        EmulatedConfigEndpoint oldCluster = new EmulatedConfigEndpoint(vertx, "1.6.22", cluster("old", 1, 12, nodesPerCluster));
        EmulatedConfigEndpoint newCluster = new EmulatedConfigEndpoint(vertx, "1.6.22", cluster("new", 2, 3, nodesPerCluster));
        int oldPort = oldCluster.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int newPort = newCluster.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Exchanges exchanges = exchanges(oldCluster.config(), newCluster.config());
        List<Variant> variants = variants(oldPort, newPort);
        try {
            if (phases.contains("startup")) {
                measureStartUp(variants, exchanges.memgrateReply());
            }
            Map<Integer, List<Run[]>> runs = Map.of();
            List<double[]> perMinute = List.of();
            if (phases.contains("load") || phases.contains("poll")) {
                startForLoad(variants, exchanges.memgrateReply());
            }
            if (phases.contains("load")) {
                List<Target> targets = new ArrayList<>();
                for (Variant variant : variants) {
                    targets.add(new Target(variant.name, variant.process, variant.listenPort, CONFIG_GET, exchanges.memgrateReply()));
                }
                targets.add(startMemcached(exchanges));
                runs = loadRounds(targets, variants);
            }
            if (phases.contains("poll")) {
                perMinute = upstreamRequests(variants, oldCluster, newCluster, exchanges.memgrateReply());
            }
            if (phases.contains("startup") && phases.contains("load")) {
                printTargets(runs, variants.get(0), variants.size(), perMinute);
            }
            if (phases.contains("nodes")) {
                // the phases before leave their servers running: stop them, as this phase starts its own
                servers.forEach(ServerProcess::close);
                nodeStatsPhase(vertx, variants);
            }
        } finally {
            servers.forEach(ServerProcess::close);
            oldCluster.stop();
            newCluster.stop();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Path results = outDir.resolve("results.md");
            Files.writeString(results, report.toString());
            System.out.println("\nwritten to " + results);
        }
        return errors;
    }

    private Exchanges exchanges(Topology oldConfig, Topology newConfig) {
        Topology merged = TopologyMerger.merge(oldConfig, newConfig, MigrationPlan.UNION, 0);
        byte[] payload = TopologyPayload.of(merged);
        Exchanges exchanges = new Exchanges(payload, Replies.config(merged), memcachedRequest(), memcachedReply(payload));
        out("payload: %d nodes, %d bytes; reply %d bytes; request %d bytes (memcached: '%s', reply %d bytes)",
                merged.nodes().size(), payload.length, exchanges.memgrateReply().length, CONFIG_GET.length,
                printable(exchanges.memcachedRequest()), exchanges.memcachedRequest().length, exchanges.memcachedReply().length);
        if (exchanges.memcachedReply().length != exchanges.memgrateReply().length
                || exchanges.memcachedRequest().length != CONFIG_GET.length) {
            throw new IllegalStateException("memcached request/reply sizes differ from Memgrate's");
        }
        return exchanges;
    }

    /** The build under test (--jar) first, then the --baseline-jar one if given. */
    private List<Variant> variants(int oldPort, int newPort) {
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("Memgrate", allCpus, prefix, jar, jvmOpts, oldPort, newPort, refreshInterval));
        if (!baselineJar.isEmpty()) {
            List<String> baselineJvmOpts = OPTIONS.containsKey("baseline-jvm-opts")
                    ? List.of(option("baseline-jvm-opts", "").trim().split("\\s+")) : jvmOpts;
            variants.add(new Variant("Memgrate-before", allCpus, prefix, Path.of(baselineJar), baselineJvmOpts, oldPort, newPort,
                    refreshInterval));
        }
        for (Variant variant : variants) {
            out("%s (in %s): %s", variant.name, variant.directory, String.join(" ", variant.loadCommand));
        }
        out("Memgrate JVM options: %s", String.join(" ", jvmOpts));
        if (OPTIONS.containsKey("baseline-jvm-opts")) {
            out("Memgrate-before JVM options: %s", option("baseline-jvm-opts", ""));
        }
        return variants;
    }

    private void measureStartUp(List<Variant> variants, byte[] memgrateReply) throws IOException, InterruptedException {
        out("");
        out("## Start-up (process start -> ready), %d starts each, not pinned (the whole machine, otherwise idle)", startupRuns);
        out("| start | build | /q/health/ready 200 | first correct `config get cluster` answer | Quarkus 'started in' | RSS 2 s after ready |");
        out("|---|---|---|---|---|---|");
        for (int i = 1; i <= startupRuns; i++) {
            for (int v = 0; v < variants.size(); v++) {
                Variant variant = variants.get((v + i - 1) % variants.size());
                waitQuiet(intOption("quiet-wait-seconds", 60));
                try (ServerProcess candidate = ServerProcess.start(variant.name, variant.command, variant.directory,
                        outDir.resolve(variant.name.toLowerCase(Locale.ROOT) + "-start-" + i + ".log"))) {
                    double[] ready = awaitReady(candidate, variant.listenPort, variant.httpPort, memgrateReply);
                    Thread.sleep(2000);
                    long rss = candidate.rssKib();
                    variant.healthMillis.add(ready[0]);
                    variant.answerMillis.add(ready[1]);
                    out("| %d | %s | %.0f ms | %.0f ms | %s | %.1f MiB |", i, variant.name, ready[0], ready[1],
                            startedIn(candidate.logText()), rss / 1024.0);
                    if (candidate.logText().contains("Unable to use shared archive")) {
                        out("WARNING: %s did not load its class-data archive (see %s)", variant.name, candidate.log());
                    }
                }
                waitPortFree(variant.listenPort);
                waitPortFree(variant.httpPort);
            }
        }
        for (Variant variant : variants) {
            out("%s median: /q/health/ready %.0f ms, first answer %.0f ms", variant.name,
                    median(variant.healthMillis), median(variant.answerMillis));
        }
        out("note: /q/health/ready turns UP once the first complete merge is served and the listener is bound.");
        out("");
    }

    /** Starts each build for the load runs, pinned when pinning. */
    private void startForLoad(List<Variant> variants, byte[] memgrateReply) throws IOException, InterruptedException {
        for (Variant variant : variants) {
            waitQuiet(intOption("quiet-wait-seconds", 60));
            variant.process = ServerProcess.start(variant.name, variant.loadCommand, variant.directory,
                    outDir.resolve(variant.name.toLowerCase(Locale.ROOT) + ".log"));
            servers.add(variant.process);
            double[] ready = awaitReady(variant.process, variant.listenPort, variant.httpPort, memgrateReply);
            Thread.sleep(2000);
            variant.idleRssKib = variant.process.rssKib();
            out("%s for the load runs: pid %d%s, first answer after %.0f ms, idle RSS %.1f MiB", variant.name,
                    variant.process.pid(), pin ? " (pinned to CPU " + serverCpus + ")" : "", ready[1],
                    variant.idleRssKib / 1024.0);
        }
    }

    /** A memcached (the tests' command line, with the benchmark's limits) holding Memgrate's payload, as a target. */
    private Target startMemcached(Exchanges exchanges) throws IOException, InterruptedException {
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(MemcachedProcess.command(port, memcachedThreads, 4096, 64));
        ServerProcess memcached = ServerProcess.start("memcached", command, outDir.resolve("memcached.log"));
        servers.add(memcached);
        storeValue(port, exchanges.payload(), exchanges.memcachedRequest(), exchanges.memcachedReply());
        out("");
        out("memcached: %s (%s), pid %d", String.join(" ", command), MemcachedProcess.version(), memcached.pid());
        return new Target("memcached", memcached, port, exchanges.memcachedRequest(), exchanges.memcachedReply());
    }

    /** Closed-loop rounds over every target at every connection count; prints and returns the runs by connections. */
    private Map<Integer, List<Run[]>> loadRounds(List<Target> targets, List<Variant> variants)
            throws IOException, InterruptedException {
        out("");
        out("## Closed loop: each connection sends the request again as soon as its reply is complete (depth %d),"
                + " %d s warm-up then %d s measured, %d round(s)", depth, warmup.toSeconds(), measure.toSeconds(), rounds);
        errors += warmUpJit(targets, connectionCounts, depth, threads);
        Map<Integer, List<Run[]>> runs = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            if (rounds > 1) {
                out("round %d of %d", round, rounds);
            }
            for (int connections : connectionCounts) {
                Run[] results = new Run[targets.size()];
                // Rotate who goes first, so that no server always runs right after another one's load.
                for (int k = 0; k < targets.size(); k++) {
                    int t = (k + round - 1) % targets.size();
                    Target target = targets.get(t);
                    results[t] = load(target.name(), target.process(), target.port(), target.request(), target.reply(),
                            connections, depth, threads, warmup, measure);
                    errors += results[t].result.errors();
                }
                runs.computeIfAbsent(connections, k -> new ArrayList<>()).add(results);
                if (connections == maxConnections()) {
                    for (int v = 0; v < variants.size(); v++) {
                        variants.get(v).loadRssKib = Math.max(variants.get(v).loadRssKib, results[v].maxRssKib);
                    }
                }
            }
        }
        printResults(runs, variants, targets.size() - 1);
        return runs;
    }

    private int maxConnections() {
        return connectionCounts.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** The closed-loop tables; {@code mc} is memcached's index in each round's runs. */
    private void printResults(Map<Integer, List<Run[]>> runs, List<Variant> variants, int mc) {
        out("");
        out("Results%s:", rounds > 1 ? " (median of " + rounds + " rounds for each column; ratios: median of the"
                + " per-round ratios)" : "");
        out("");
        out("| connections | Memgrate req/s | memcached req/s | ratio | Memgrate p50/p99/p99.9 µs | memcached p50/p99/p99.9 µs | p99 ratio |");
        out("|---:|---:|---:|---:|---:|---:|---:|");
        for (Map.Entry<Integer, List<Run[]>> entry : runs.entrySet()) {
            List<Run[]> rs = entry.getValue();
            out("| %d | %,.0f | %,.0f | %.2f | %s | %s | %.2f |", entry.getKey(), med(rs, 0, r -> r.result.throughput()),
                    med(rs, mc, r -> r.result.throughput()), ratio(rs, 0, mc, r -> r.result.throughput()),
                    medPercentiles(rs, 0), medPercentiles(rs, mc), ratio(rs, 0, mc, r -> r.result.micros(99)));
        }
        if (variants.size() > 1) {
            out("");
            out("Before / after (%s = --baseline-jar, Memgrate = --jar; same run, same memcached):", variants.get(1).name);
            out("");
            out("| connections | before req/s | after req/s | after/before | before vs memcached | after vs memcached | before p50/p99/p99.9 µs | after p50/p99/p99.9 µs | before p99 ratio | after p99 ratio | before µs CPU/req | after µs CPU/req |");
            out("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (Map.Entry<Integer, List<Run[]>> entry : runs.entrySet()) {
                List<Run[]> rs = entry.getValue();
                out("| %d | %,.0f | %,.0f | %.2f | %.2f | %.2f | %s | %s | %.2f | %.2f | %.2f | %.2f |", entry.getKey(),
                        med(rs, 1, r -> r.result.throughput()), med(rs, 0, r -> r.result.throughput()),
                        ratio(rs, 0, 1, r -> r.result.throughput()),
                        ratio(rs, 1, mc, r -> r.result.throughput()), ratio(rs, 0, mc, r -> r.result.throughput()),
                        medPercentiles(rs, 1), medPercentiles(rs, 0),
                        ratio(rs, 1, mc, r -> r.result.micros(99)), ratio(rs, 0, mc, r -> r.result.micros(99)),
                        med(rs, 1, Run::serverCpuMicrosPerRequest), med(rs, 0, Run::serverCpuMicrosPerRequest));
            }
            out("");
            out("| build | start to /q/health/ready (median) | start to first answer (median) | idle RSS | max RSS under %d connections |", maxConnections());
            out("|---|---:|---:|---:|---:|");
            for (Variant variant : variants) {
                out("| %s | %.0f ms | %.0f ms | %.1f MiB | %.1f MiB |", variant.name, median(variant.healthMillis),
                        median(variant.answerMillis), variant.idleRssKib / 1024.0, variant.loadRssKib / 1024.0);
            }
        }
        out("");
        out("CPU during each measured window (%% of one core; %d cores in total), and CPU per request;"
                + " server RSS: max sampled every 250 ms from the start of the warm-up:", cpus);
        out("| connections | server | req/s | server CPU | server µs CPU/req | generator process CPU | generator NIO threads CPU | generator µs CPU/req | other processes CPU | server RSS max | errors |");
        out("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Map.Entry<Integer, List<Run[]>> entry : runs.entrySet()) {
            for (Run[] round : entry.getValue()) {
                for (Run r : round) {
                    out("| %d | %s | %,.0f | %.0f%% | %.2f | %.0f%% | %.0f%% | %.2f | %.0f%% | %.1f MiB | %d |", entry.getKey(),
                            r.server, r.result.throughput(), r.serverCpuPercent(), r.serverCpuMicrosPerRequest(),
                            r.generatorCpuPercent(), 100.0 * r.result.generatorThreadCpuNanos() / (r.result.seconds() * 1e9),
                            r.generatorCpuMicrosPerRequest(), r.otherCpuPercent(), r.maxRssKib / 1024.0, r.result.errors());
                }
            }
        }
    }

    /** Upstream requests per minute while each number of clients polls the build under test; {primary, secondary}. */
    private List<double[]> upstreamRequests(List<Variant> variants, EmulatedConfigEndpoint oldCluster,
            EmulatedConfigEndpoint newCluster, byte[] memgrateReply) throws IOException, InterruptedException {
        out("");
        out("## Upstream requests vs polling clients (each client: one `config get cluster` every %d ms, %d s;"
                + " memgrate.refresh-interval=%s)", pollIntervalMillis, pollSeconds, refreshInterval);
        out("| polling clients | client req/s served | primary upstream req/min | secondary upstream req/min | errors |");
        out("|---:|---:|---:|---:|---:|");
        List<double[]> perMinute = new ArrayList<>();
        for (int clients : pollClients) {
            // Only the Memgrate under test polls during this window: stop the baseline build first.
            if (variants.size() > 1 && variants.get(1).process.process.isAlive()) {
                variants.get(1).process.close();
            }
            long oldBefore = oldCluster.configRequests();
            long newBefore = newCluster.configRequests();
            long before = System.nanoTime();
            LoadGenerator.Result polled = new LoadGenerator(new LoadGenerator.Settings(
                    new InetSocketAddress("127.0.0.1", variants.get(0).listenPort), CONFIG_GET, memgrateReply, clients, 1, 1,
                    Duration.ZERO, Duration.ofSeconds(pollSeconds), Duration.ofMillis(pollIntervalMillis).toNanos()))
                    .run(() -> { }, () -> { }, () -> { }, Duration.ofSeconds(1));
            double minutes = (System.nanoTime() - before) / 60e9;
            double oldPerMinute = (oldCluster.configRequests() - oldBefore) / minutes;
            double newPerMinute = (newCluster.configRequests() - newBefore) / minutes;
            perMinute.add(new double[] {oldPerMinute, newPerMinute});
            errors += polled.errors();
            printErrors("poll " + clients, polled);
            out("| %d | %,.0f | %.1f | %.1f | %d |", clients, polled.throughput(), oldPerMinute, newPerMinute, polled.errors());
        }
        return perMinute;
    }

    /** One measured window of the node statistics phase: a build with node statistics on or off. */
    private record NodeStatsRun(String build, boolean statsOn, LoadGenerator.Result result, List<Double> gcPausesMillis,
            double serverCpuPercent, double statsRequestsPerSecond, double fleetCpuPercent) {

        double p99() {
            return result.micros(99);
        }

        double maxMicros() {
            return result.latencyNanos().getMaxValue() / 1000.0;
        }
    }

    /**
     * Config answers while Memgrate reads {@code stats} from {@link #statsNodes} listed nodes every --stats-interval,
     * against the same build with node statistics off, in the same run: each build is started for each window (so an
     * idle build reading nodes does not disturb the others), with a GC log read at the window's edges.
     */
    private void nodeStatsPhase(Vertx vertx, List<Variant> variants) throws Exception {
        out("");
        out("## Node statistics: %d listed nodes (%s), `stats` every %s vs node statistics off; %d clients each sending"
                + " `config get cluster` every %d ms; %d s warm-up then %d s measured; %d round(s)", statsNodes,
                statsFaulty ? "10 each closed, silent, 300 ms slow and flaky, one 2 MiB reply, one endless drip, the rest"
                        + " healthy ~3.4 KB replies" : "all healthy ~3.4 KB replies",
                statsInterval, statsClients, statsPollMillis, statsWarmup.toSeconds(), statsMeasure.toSeconds(), statsRounds);
        try (StatsNodeFleet fleet = StatsNodeFleet.start(vertx, statsNodes, statsFaulty)) {
            int half = statsNodes / 2;
            EmulatedConfigEndpoint primary = new EmulatedConfigEndpoint(vertx, "1.6.22",
                    new Topology(20, fleet.nodes().subList(0, half)));
            EmulatedConfigEndpoint secondary = new EmulatedConfigEndpoint(vertx, "1.6.22",
                    new Topology(5, fleet.nodes().subList(half, statsNodes)));
            int primaryPort = primary.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            int secondaryPort = secondary.start("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            byte[] reply = Replies.config(TopologyMerger.merge(primary.config(), secondary.config(), MigrationPlan.UNION, 0));
            out("config reply: %d bytes", reply.length);
            List<NodeStatsRun> runs = new ArrayList<>();
            try {
                for (int round = 1; round <= statsRounds; round++) {
                    for (int k = 0; k < variants.size(); k++) {
                        Variant variant = variants.get((k + round - 1) % variants.size());
                        // alternate which goes first, on or off, so that neither always follows the other build
                        for (boolean on : round % 2 == 1 ? List.of(true, false) : List.of(false, true)) {
                            runs.add(nodeStatsRun(variant, on, round, primaryPort, secondaryPort, reply, fleet));
                        }
                    }
                }
            } finally {
                primary.stop();
                secondary.stop();
            }
            printNodeStats(variants, runs);
        }
    }

    private NodeStatsRun nodeStatsRun(Variant variant, boolean statsOn, int round, int primaryPort, int secondaryPort,
            byte[] reply, StatsNodeFleet fleet) throws IOException, InterruptedException {
        Variant instance = new Variant(variant.name, List.of(), prefix, variant.jar,
                variant.jvmOpts, primaryPort, secondaryPort, refreshInterval);
        String label = variant.name.toLowerCase(Locale.ROOT) + "-stats-" + (statsOn ? "on" : "off") + "-" + round;
        Path gcLog = outDir.resolve(label + ".gc.log").toAbsolutePath();
        Files.deleteIfExists(gcLog);
        List<String> command = new ArrayList<>(instance.loadCommand);
        command.addAll(command.indexOf("-jar"), List.of("-Dmemgrate.nodes.stats-interval=" + (statsOn ? statsInterval : "0s"),
                "-Xlog:gc:file=" + gcLog));
        waitQuiet(intOption("quiet-wait-seconds", 60));
        try (ServerProcess process = ServerProcess.start(label, command, instance.directory, outDir.resolve(label + ".log"))) {
            awaitReady(process, instance.listenPort, instance.httpPort, reply);
            long[] cpu = new long[2];
            long[] fleetCpu = new long[2];
            long[] requests = new long[2];
            int[] gcLines = new int[2];
            LoadGenerator.Result result = new LoadGenerator(new LoadGenerator.Settings(
                    new InetSocketAddress("127.0.0.1", instance.listenPort), CONFIG_GET, reply, statsClients, 1, 1,
                    statsWarmup, statsMeasure, Duration.ofMillis(statsPollMillis).toNanos())).run(() -> {
                        cpu[0] = process.cpuNanos();
                        requests[0] = fleet.requests();
                        fleetCpu[0] = fleet.cpuNanos();
                        gcLines[0] = gcPauses(gcLog).size();
                    }, () -> { }, () -> {
                        cpu[1] = process.cpuNanos();
                        requests[1] = fleet.requests();
                        fleetCpu[1] = fleet.cpuNanos();
                        gcLines[1] = gcPauses(gcLog).size();
                    }, Duration.ofSeconds(1));
            errors += result.errors();
            printErrors(label, result);
            List<Double> pauses = gcPauses(gcLog).subList(gcLines[0], gcLines[1]);
            NodeStatsRun run = new NodeStatsRun(variant.name, statsOn, result, pauses,
                    100.0 * (cpu[1] - cpu[0]) / (result.seconds() * 1e9), (requests[1] - requests[0]) / result.seconds(),
                    100.0 * (fleetCpu[1] - fleetCpu[0]) / (result.seconds() * 1e9));
            out("%-15s stats %-3s round %d: %,.0f req/s  p50/p99/p99.9 %s µs, max %.0f µs; GC pauses %d (%.1f ms in all, max %.1f"
                    + " ms); server CPU %.0f%%; node stats requests %.0f/s; fleet CPU (generator's CPU) %.1f%%", variant.name,
                    statsOn ? "on" : "off", round, result.throughput(), percentiles(result), run.maxMicros(), pauses.size(),
                    sum(pauses), max(pauses), run.serverCpuPercent(), run.statsRequestsPerSecond(), run.fleetCpuPercent());
            return run;
        }
    }

    /** The pause times of a unified GC log ({@code -Xlog:gc}), in ms, in order; empty before it exists. */
    private static List<Double> gcPauses(Path gcLog) {
        try {
            Pattern pause = Pattern.compile(" Pause .* ([0-9.]+)ms$");
            List<Double> pauses = new ArrayList<>();
            for (String line : Files.readAllLines(gcLog)) {
                Matcher matcher = pause.matcher(line);
                if (matcher.find()) {
                    pauses.add(Double.parseDouble(matcher.group(1)));
                }
            }
            return pauses;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static double sum(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** Medians over rounds per build and setting, and each build's p99 with statistics on over off, round by round. */
    private void printNodeStats(List<Variant> variants, List<NodeStatsRun> runs) {
        out("");
        out("Node statistics results (median of %d rounds; range over rounds in brackets):", statsRounds);
        out("");
        out("| build | node stats | config p50 µs | config p99 µs | config max µs | GC pauses per window | GC pause ms per window | longest GC pause ms | server CPU | stats req/s | fleet CPU |");
        out("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Variant variant : variants) {
            for (boolean on : List.of(false, true)) {
                List<NodeStatsRun> these = runs.stream().filter(r -> r.build().equals(variant.name) && r.statsOn() == on).toList();
                out("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", variant.name, on ? statsInterval : "off",
                        spread(these, r -> r.result().micros(50)), spread(these, NodeStatsRun::p99),
                        spread(these, NodeStatsRun::maxMicros), spread(these, r -> r.gcPausesMillis().size()),
                        spread(these, r -> sum(r.gcPausesMillis())), spread(these, r -> max(r.gcPausesMillis())),
                        spread(these, NodeStatsRun::serverCpuPercent), spread(these, NodeStatsRun::statsRequestsPerSecond),
                        spread(these, NodeStatsRun::fleetCpuPercent));
            }
        }
        out("");
        for (Variant variant : variants) {
            List<NodeStatsRun> on = runs.stream().filter(r -> r.build().equals(variant.name) && r.statsOn()).toList();
            List<NodeStatsRun> off = runs.stream().filter(r -> r.build().equals(variant.name) && !r.statsOn()).toList();
            List<Double> ratios = IntStream.range(0, Math.min(on.size(), off.size()))
                    .mapToObj(i -> on.get(i).p99() / off.get(i).p99()).toList();
            double median = median(ratios);
            out("- %s: config p99 with node statistics every %s / off, per round: %s; median %.2f (target <= 1.20): %s;"
                    + " all rounds' replies pooled: p99 %.0f / %.0f µs = %.2f", variant.name, statsInterval,
                    ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList(), median, verdict(median <= 1.2),
                    pooledP99Micros(on), pooledP99Micros(off), pooledP99Micros(on) / pooledP99Micros(off));
        }
    }

    /** The p99 of every reply of {@code runs} together: one window's bad seconds weigh as much as they last. */
    private static double pooledP99Micros(List<NodeStatsRun> runs) {
        Histogram pooled = new Histogram(3);
        runs.forEach(run -> pooled.add(run.result().latencyNanos()));
        return pooled.getValueAtPercentile(99) / 1e3;
    }

    /** {@code median [min-max]} of a metric over runs. */
    private static String spread(List<NodeStatsRun> runs, java.util.function.ToDoubleFunction<NodeStatsRun> metric) {
        List<Double> values = runs.stream().map(metric::applyAsDouble).sorted().toList();
        return values.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", median(values), values.get(0),
                values.get(values.size() - 1));
    }

    /** Each target met or missed, for the build under test ({@code main}); {@code mc} is memcached's index. */
    private void printTargets(Map<Integer, List<Run[]>> runs, Variant main, int mc, List<double[]> perMinute) {
        out("");
        out("## Targets (Memgrate = --jar)");
        for (Map.Entry<Integer, List<Run[]>> entry : runs.entrySet()) {
            if (entry.getKey() < 64) {
                continue;
            }
            List<Run[]> rs = entry.getValue();
            double ratio = ratio(rs, 0, mc, r -> r.result.throughput());
            double p99Ratio = ratio(rs, 0, mc, r -> r.result.micros(99));
            out("- %d connections: throughput %.2fx memcached (target >= 0.90): %s; p99 %.2fx memcached (target <= 1.50): %s",
                    entry.getKey(), ratio, verdict(ratio >= 0.9), p99Ratio, verdict(p99Ratio <= 1.5));
        }
        double healthMedian = median(main.healthMillis);
        double answerMedian = median(main.answerMillis);
        out("- start to ready: /q/health/ready %.0f ms, first correct answer %.0f ms (target <= 1500 ms): %s",
                healthMedian, answerMedian, verdict(Math.max(healthMedian, answerMedian) <= 1500));
        out("- RSS: idle %.1f MiB, max under %d-connection load %.1f MiB, peak (VmHWM) %.1f MiB (target <= 128 MiB): %s",
                main.idleRssKib / 1024.0, maxConnections(), main.loadRssKib / 1024.0, main.process.peakRssKib() / 1024.0,
                verdict(main.loadRssKib <= 128 * 1024));
        if (perMinute.size() >= 2) {
            double first = perMinute.get(0)[0] + perMinute.get(0)[1];
            double last = perMinute.get(perMinute.size() - 1)[0] + perMinute.get(perMinute.size() - 1)[1];
            out("- upstream requests/min, both upstreams: %.1f with %d client(s), %.1f with %d: %s", first,
                    pollClients.get(0), last, pollClients.get(pollClients.size() - 1),
                    verdict(last <= first * 1.1 + 2));
        }
        out("- validation errors (replies not byte-identical, closed connections): %d", errors);
    }


    /**
     * metric(a) / metric(b) in each round (runs of one round are back to back, so they share the machine's state),
     * then the median over rounds: steadier than a ratio of medians when the machine's speed drifts.
     */
    private static double ratio(List<Run[]> rounds, int a, int b, java.util.function.ToDoubleFunction<Run> metric) {
        return median(rounds.stream().map(round -> metric.applyAsDouble(round[a]) / metric.applyAsDouble(round[b])).toList());
    }

    private static String medPercentiles(List<Run[]> rounds, int side) {
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f", med(rounds, side, r -> r.result.micros(50)),
                med(rounds, side, r -> r.result.micros(99)), med(rounds, side, r -> r.result.micros(99.9)));
    }

    private static double med(List<Run[]> rounds, int side, java.util.function.ToDoubleFunction<Run> metric) {
        return median(rounds.stream().map(pair -> metric.applyAsDouble(pair[side])).toList());
    }

    private static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }

    /** One measured run, with what the sampler saw of both processes. */
    private final class Run {
        final String server;
        LoadGenerator.Result result;
        long serverCpuStart;
        long serverCpuEnd;
        long generatorCpuStart;
        long generatorCpuEnd;
        long maxRssKib;
        long machineBusyStart;
        long machineBusyEnd;

        Run(String server) {
            this.server = server;
        }

        double serverCpuPercent() {
            return 100.0 * (serverCpuEnd - serverCpuStart) / (result.seconds() * 1e9);
        }

        double generatorCpuPercent() {
            return 100.0 * (generatorCpuEnd - generatorCpuStart) / (result.seconds() * 1e9);
        }

        /** CPU used by everything else on the machine in the window (other processes), % of one core. */
        double otherCpuPercent() {
            double machine = 100.0 * (machineBusyEnd - machineBusyStart) / (result.seconds() * 1e9);
            return Math.max(0, machine - serverCpuPercent() - generatorCpuPercent());
        }

        double serverCpuMicrosPerRequest() {
            return (serverCpuEnd - serverCpuStart) / 1000.0 / Math.max(1, result.requests());
        }

        double generatorCpuMicrosPerRequest() {
            return (generatorCpuEnd - generatorCpuStart) / 1000.0 / Math.max(1, result.requests());
        }
    }

    /**
     * One measured run. The machine may be shared: before the run this waits (at most --quiet-wait-seconds) until
     * other processes use less than {@value #QUIET_PERCENT}% of a core, and a run during which they used more than
     * {@value #DISTURBED_PERCENT}% is repeated (at most --retries times); the last attempt is kept either way, and its
     * "other processes" CPU is printed with the results.
     */
    private Run load(String name, ServerProcess server, int port, byte[] request, byte[] reply, int connections,
            int depth, int threads, Duration warmup, Duration measure) throws IOException, InterruptedException {
        int retries = intOption("retries", 2);
        for (int attempt = 0;; attempt++) {
            waitQuiet(intOption("quiet-wait-seconds", 60));
            Run run = loadOnce(name, server, port, request, reply, connections, depth, threads, warmup, measure);
            if (run.otherCpuPercent() <= DISTURBED_PERCENT || attempt >= retries) {
                return run;
            }
            out("  (disturbed by other processes: repeating, attempt %d of %d)", attempt + 2, retries + 1);
        }
    }

    /**
     * Unmeasured load on every server at every connection count before the first round: on its one pinned CPU, a
     * fresh JVM's JIT compilers otherwise take CPU from the event loop during the first rounds (a profile showed C2
     * at 6-8% of that CPU through the first 1024-connection round), which is start-up cost, not steady state.
     */
    private int warmUpJit(List<Target> targets, List<Integer> connectionCounts, int depth, int threads)
            throws IOException, InterruptedException {
        int seconds = intOption("jit-warmup-seconds", 15);
        int errors = 0;
        if (seconds <= 0) {
            return errors;
        }
        out("warm-up: %d s of unmeasured load on each server, spread over the connection counts", seconds);
        Duration each = Duration.ofMillis(Math.max(1000, seconds * 1000L / connectionCounts.size()));
        for (Target target : targets) {
            for (int connections : connectionCounts) {
                LoadGenerator.Result result = closedLoop(target.port(), target.request(), target.reply(), connections, depth,
                        threads, each, Duration.ofMillis(500)).run(() -> { }, () -> { }, () -> { }, Duration.ofMillis(250));
                printErrors(target.name() + " warm-up " + connections, result);
                errors += result.errors();
            }
        }
        return errors;
    }

    static final int QUIET_PERCENT = 10;
    static final int DISTURBED_PERCENT = 15;
    private final List<ServerProcess> servers = new ArrayList<>();

    /** Waits until processes other than this JVM and its servers use < QUIET_PERCENT of a core (1 s samples). */
    private void waitQuiet(int maxSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(maxSeconds).toNanos();
        double other = 0;
        do {
            long machine = machineBusyNanos();
            long own = os.getProcessCpuTime() + servers.stream().mapToLong(ServerProcess::cpuNanos).sum();
            long before = System.nanoTime();
            Thread.sleep(1000);
            long elapsed = System.nanoTime() - before;
            long ownAfter = os.getProcessCpuTime() + servers.stream().mapToLong(ServerProcess::cpuNanos).sum();
            other = 100.0 * ((machineBusyNanos() - machine) - (ownAfter - own)) / elapsed;
            if (other < QUIET_PERCENT) {
                return;
            }
        } while (System.nanoTime() < deadline);
        out("  (other processes still use %.0f%% of a core after waiting %d s: measuring anyway)", other, maxSeconds);
    }

    /** Closed-loop load on 127.0.0.1:{@code port}, with no more generator threads than connections. */
    private static LoadGenerator closedLoop(int port, byte[] request, byte[] reply, int connections, int depth, int threads,
            Duration warmup, Duration measure) {
        return new LoadGenerator(new LoadGenerator.Settings(new InetSocketAddress("127.0.0.1", port), request, reply,
                connections, depth, Math.min(threads, connections), warmup, measure, 0));
    }

    private Run loadOnce(String name, ServerProcess server, int port, byte[] request, byte[] reply, int connections,
            int depth, int threads, Duration warmup, Duration measure) throws IOException, InterruptedException {
        Run run = new Run(name);
        LoadGenerator generator = closedLoop(port, request, reply, connections, depth, threads, warmup, measure);
        run.result = generator.run(() -> {
            run.machineBusyStart = machineBusyNanos();
            run.serverCpuStart = server.cpuNanos();
            run.generatorCpuStart = os.getProcessCpuTime();
            run.maxRssKib = server.rssKib();
        }, () -> run.maxRssKib = Math.max(run.maxRssKib, server.rssKib()), () -> {
            run.serverCpuEnd = server.cpuNanos();
            run.generatorCpuEnd = os.getProcessCpuTime();
            run.machineBusyEnd = machineBusyNanos();
            run.maxRssKib = Math.max(run.maxRssKib, server.rssKib());
        }, Duration.ofMillis(250));
        printErrors(name + " " + connections, run.result);
        out("%-15s %5d conn: %,10.0f req/s  p50/p99/p99.9 %s µs  CPU: server %.0f%%, generator %.0f%%, other processes %.0f%%  RSS %.1f MiB  errors %d",
                name, connections, run.result.throughput(), percentiles(run.result), run.serverCpuPercent(),
                run.generatorCpuPercent(), run.otherCpuPercent(), run.maxRssKib / 1024.0, run.result.errors());
        if (run.otherCpuPercent() > DISTURBED_PERCENT) {
            out("  WARNING: other processes used %.0f%% of a core during this run: the numbers are disturbed",
                    run.otherCpuPercent());
        }
        return run;
    }

    /** Busy CPU time of the whole machine (all CPUs, from /proc/stat: everything but idle and iowait), in ns. */
    private static long machineBusyNanos() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void printErrors(String what, LoadGenerator.Result result) {
        if (result.errors() > 0) {
            out("  %s: %d errors, %d connections left open; first: %s", what, result.errors(), result.connectionsOpen(),
                    result.firstErrors());
        }
    }

    private static String percentiles(LoadGenerator.Result result) {
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f", result.micros(50), result.micros(99), result.micros(99.9));
    }

    /** Polls both readiness signals every 5 ms (at most 60 s); returns {health ms, first answer ms}. */
    private static double[] awaitReady(ServerProcess process, int listenPort, int httpPort, byte[] expected)
            throws IOException, InterruptedException {
        double health = -1;
        double answer = -1;
        long deadline = process.startedAtNanos + Duration.ofSeconds(60).toNanos();
        while (health < 0 || answer < 0) {
            if (!process.process.isAlive()) {
                throw new IllegalStateException("Memgrate exited during start-up; log: " + process.log + "\n" + process.logText());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Memgrate not ready within 60 s; log: " + process.log);
            }
            if (health < 0 && ServerProcess.httpStatus(httpPort, "/q/health/ready", 500) == 200) {
                health = (System.nanoTime() - process.startedAtNanos) / 1e6;
            }
            if (answer < 0) {
                try {
                    byte[] reply = ServerProcess.exchange(listenPort, CONFIG_GET, expected.length, 500);
                    if (Arrays.equals(reply, expected)) {
                        answer = (System.nanoTime() - process.startedAtNanos) / 1e6;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            if (health < 0 || answer < 0) {
                Thread.sleep(5);
            }
        }
        return new double[] {health, answer};
    }

    private static void waitPortFree(int port) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            try (var socket = new java.net.ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return;
            } catch (IOException busy) {
                Thread.sleep(50);
            }
        }
    }

    private static String startedIn(String log) {
        Matcher matcher = Pattern.compile("started in ([0-9.]+s)").matcher(log);
        return matcher.find() ? matcher.group(1) : "?";
    }

    /** A cluster whose node entries look like ElastiCache's ({@code name.xxxxxx.000N.use1.cache.amazonaws.com}). */
    static Topology cluster(String name, int subnet, long version, int nodes) {
        return new Topology(version, IntStream.rangeClosed(1, nodes)
                .mapToObj(i -> new Node(String.format(Locale.ROOT, "memgrate-%s.x1y2z3.%04d.use1.cache.amazonaws.com", name, i),
                        "10.0." + subnet + "." + (10 + i), 11211))
                .toList());
    }

    /** {@code get <key>} padded with spaces (memcached skips repeated spaces) to the length of {@code config get cluster}. */
    static byte[] memcachedRequest() {
        int spaces = CONFIG_GET.length - "get".length() - MEMCACHED_KEY.length() - 2;
        return ("get" + " ".repeat(spaces) + MEMCACHED_KEY + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] memcachedReply(byte[] payload) {
        byte[] header = ("VALUE " + MEMCACHED_KEY + " 0 " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] end = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] reply = Arrays.copyOf(header, header.length + payload.length + end.length);
        System.arraycopy(payload, 0, reply, header.length, payload.length);
        System.arraycopy(end, 0, reply, header.length + payload.length, end.length);
        return reply;
    }

    private static void storeValue(int port, byte[] payload, byte[] request, byte[] expectedReply)
            throws IOException, InterruptedException {
        byte[] header = ("set " + MEMCACHED_KEY + " 0 0 " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] set = Arrays.copyOf(header, header.length + payload.length + 2);
        System.arraycopy(payload, 0, set, header.length, payload.length);
        set[set.length - 2] = '\r';
        set[set.length - 1] = '\n';
        IOException last = null;
        for (int attempt = 0; attempt < 200; attempt++) {
            try {
                byte[] stored = ServerProcess.exchange(port, set, "STORED\r\n".length(), 1000);
                if (!"STORED\r\n".equals(new String(stored, StandardCharsets.US_ASCII))) {
                    throw new IllegalStateException("memcached did not store the value: " + new String(stored, StandardCharsets.US_ASCII));
                }
                byte[] reply = ServerProcess.exchange(port, request, expectedReply.length, 1000);
                if (!Arrays.equals(reply, expectedReply)) {
                    throw new IllegalStateException("memcached get returned unexpected bytes: " + printable(reply));
                }
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(25);
            }
        }
        throw new IOException("memcached did not start on port " + port, last);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB RAM",
                            Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** Pins every thread of this JVM (and the threads it starts later) to {@code cpus}. */
    private static void pinSelf(String cpus) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, String.valueOf(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!taskset.waitFor(10, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
            throw new IllegalStateException("taskset failed: run with --pin=false");
        }
    }

    /** Number of CPUs in a taskset list such as {@code 1}, {@code 1-3} or {@code 1,3}. */
    private static int cpuCount(String list) {
        int count = 0;
        for (String part : list.split(",")) {
            String[] range = part.trim().split("-");
            count += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        }
        return count;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        if (n == 0) {
            // a phase that did not run (start-up times without --phases=startup)
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String printable(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
    }
}
