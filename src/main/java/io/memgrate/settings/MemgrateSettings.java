package io.memgrate.settings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.memgrate.cluster.HostAndPort;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * Every {@code memgrate.*} setting. docs/configuration.md lists each with its default and the values refused. Durations go through
 * {@link Durations.Converter} so a malformed one says which forms work; {@link SettingsChecks} refuses values that parse
 * but cannot work.
 */
@ConfigMapping(prefix = "memgrate")
public interface MemgrateSettings {

    /** Default of {@code memgrate.tls.reload-period} and {@code memgrate.upstream.tls.reload-period}. */
    String RELOAD_PERIOD = "1m";

    Listen listen();

    /** The old cluster, whose nodes come first in the merged list. */
    Cluster primary();

    /** The new cluster; when absent Memgrate passes the primary through unchanged. */
    Cluster secondary();

    /** How often each upstream is polled. */
    @WithDefault("5s")
    @WithConverter(Durations.Converter.class)
    Duration refreshInterval();

    Upstream upstream();

    /** Added to the served version, to move every client past a version that went down. */
    @WithDefault("0")
    long versionOffset();

    Aws aws();

    Client client();

    Stats stats();

    Migration migration();

    Nodes nodes();

    /** The emulated clusters served when no endpoint is configured (on in the dev profile). */
    Dev devClusters();

    /** On shutdown, how long open client connections get to finish the request they are answering. */
    @WithDefault("10s")
    @WithConverter(Durations.Converter.class)
    Duration shutdownDrainTimeout();

    interface Listen {
        @WithDefault("0.0.0.0")
        String host();

        /** 0 picks a free port (tests). */
        @WithDefault("11211")
        int port();
    }

    interface Cluster {
        /** {@code host:port} of the cluster's configuration endpoint. */
        @WithConverter(HostAndPortConverter.class)
        Optional<HostAndPort> endpoint();

        /** The ElastiCache cluster ID, resolved to its configuration endpoint through the AWS API; exclusive with endpoint. */
        Optional<String> clusterId();
    }

    interface Client {
        /** Longest command line accepted; a longer one gets {@code CLIENT_ERROR line too long} and is closed. */
        @WithDefault("2048")
        int maxLineBytes();

        /** Connections with no traffic for this long are closed. */
        @WithDefault("10m")
        @WithConverter(Durations.Converter.class)
        Duration idleTimeout();

        /**
         * How long a client may leave its replies unread, with its write queue full and its reading paused, before it
         * is closed.
         */
        @WithDefault("30s")
        @WithConverter(Durations.Converter.class)
        Duration writeStallTimeout();

        /** Connections beyond this many get {@code SERVER_ERROR too many connections} and are closed. */
        @WithDefault("10000")
        int maxConnections();
    }

    interface Stats {
        /**
         * How old a relayed {@code stats} reply may be when it is served again; client requests in between share it,
         * so upstream {@code stats} load does not grow with the number of clients.
         */
        @WithDefault("1s")
        @WithConverter(Durations.Converter.class)
        Duration maxAge();
    }

    interface Aws {
        /** The AWS region; absent = the SDK's default region chain. */
        Optional<String> region();

        /** URL of the ElastiCache API (VPC endpoints, tests). */
        Optional<URI> endpointOverride();

        /** How often a resolved configuration endpoint is confirmed again. */
        @WithDefault("5m")
        @WithConverter(Durations.Converter.class)
        Duration resolveInterval();
    }

    interface Upstream {
        /** Connect plus reply timeout for one exchange with an upstream. */
        @WithDefault("2s")
        @WithConverter(Durations.Converter.class)
        Duration timeout();

        /** Largest upstream reply accepted; anything bigger is rejected as malformed. */
        @WithDefault("1048576")
        int maxReplyBytes();

        /**
         * TLS to the configuration endpoints (ElastiCache in-transit encryption). The CA file goes to the TLS
         * registry's configuration {@code memgrate-upstream} ({@link TlsRegistryFeed}).
         */
        UpstreamTls tls();
    }

    interface UpstreamTls {
        /** Connect to the upstreams over TLS, verifying their host name. */
        @WithDefault("false")
        boolean enabled();

        /** PEM file of the CA(s) to trust instead of the JVM's default trust store. */
        Optional<Path> caFile();

        /**
         * How often the TLS registry reads the CA file again; new connections trust what it then holds. {@code 0s}: read
         * once, at start-up.
         */
        @WithDefault(RELOAD_PERIOD)
        @WithConverter(Durations.Converter.class)
        Duration reloadPeriod();
    }

    /**
     * TLS for clients, for those that use TLS towards ElastiCache. The certificate goes to the TLS registry's
     * configuration {@code memgrate-listener} ({@link TlsRegistryFeed}).
     */
    Tls tls();

    interface Tls {
        /** Serve clients over TLS on the listen port. */
        @WithDefault("false")
        boolean enabled();

        /** PEM certificate (chain) presented to clients; required when enabled. */
        Optional<Path> certificateFile();

        /** PEM private key of that certificate; required when enabled. */
        Optional<Path> keyFile();

        /**
         * How often the TLS registry reads the certificate and key files again; new connections get what they then
         * hold, open ones keep theirs. {@code 0s}: read once, at start-up.
         */
        @WithDefault(RELOAD_PERIOD)
        @WithConverter(Durations.Converter.class)
        Duration reloadPeriod();
    }

    interface Migration {
        /**
         * The migration plan (YAML: revision, admit, withdraw), re-read when it changes; absent = the union of both
         * clusters is served.
         */
        Optional<Path> planFile();

        /** How often the plan file is checked for a change. */
        @WithDefault("2s")
        @WithConverter(Durations.Converter.class)
        Duration checkInterval();

        /**
         * How far below the served nodes' aggregate hit ratio an admitted node's may be and still count as warm, and how
         * far the aggregate may fall below its level before the last step while the next step still looks safe.
         */
        @WithDefault("0.05")
        double warmMargin();

        /**
         * The hashing scheme the fleet's clients use, as a {@code io.memgrate.movement.HashScheme} label: it picks the
         * gentlest next step and the movement the autopilot predicts; absent = every scheme is shown alike.
         */
        Optional<String> clientHashing();

        /** Takes the steps of the plan itself: writes the next plan revision into the plan file, or its ConfigMap. */
        Autopilot autopilot();
    }

    interface Autopilot {
        /** Off by default: every step is a person's edit of the plan. */
        @WithDefault("false")
        boolean enabled();

        /** How long the next-step verdict must have said safe, since the last change of the served list, before a step. */
        @WithDefault("10m")
        @WithConverter(Durations.Converter.class)
        Duration minDwell();

        /** A daily UTC window {@code HH:MM-HH:MM} (may wrap midnight) outside which no step is taken; absent = any time. */
        Optional<String> window();

        /** How long the node admitted last may take to be warm before its admission is rolled back. */
        @WithDefault("1h")
        @WithConverter(Durations.Converter.class)
        Duration maxWarmup();

        /**
         * On Kubernetes: the ConfigMap holding the plan, mounted as the plan file (its key is the plan file's name). Set,
         * the autopilot writes plans through the Kubernetes API into it; absent = it writes the plan file itself.
         */
        Optional<String> configmap();

        /** On Kubernetes: the Lease that lets one replica decide at a time. */
        @WithDefault("memgrate-autopilot")
        String lease();

        /** On Kubernetes: how long the Lease holds without a renewal before another replica may take it. */
        @WithDefault("15s")
        @WithConverter(Durations.Converter.class)
        Duration leaseDuration();

        /** On Kubernetes: this replica's Pod; absent = the environment variable POD_NAME (downward API), else the host name. */
        Optional<String> podName();

        /** On Kubernetes: the label selector of Memgrate's pods, whose plan revisions a step waits for. */
        @WithDefault("app.kubernetes.io/name=memgrate")
        String podSelector();
    }

    interface Dev {
        /** On in the dev profile; used only when no endpoint is configured. */
        @WithDefault("false")
        boolean enabled();

        /** The old cluster's nodes, in the wire form {@code host|ip|port}, separated by spaces. */
        @WithDefault("old-1.memgrate.local|127.0.0.1|21211 old-2.memgrate.local|127.0.0.1|21212")
        String oldNodes();

        /** The new cluster's nodes, in the same form. */
        @WithDefault("new-1.memgrate.local|127.0.0.1|21221 new-2.memgrate.local|127.0.0.1|21222")
        String newNodes();

        /** The engine version the emulated clusters report. */
        @WithDefault("1.6.22")
        String engineVersion();

        /** What stores each node's keys. */
        @WithDefault("auto")
        Store store();

        /** Cache memory of each node in MiB, like memcached's {@code -m}. */
        @WithDefault("64")
        int nodeMemoryMb();

        /** Built-in client traffic through the dev nodes, so their hit ratios are real. */
        Traffic traffic();

        /** A dev-only load that reads and writes a key space as a client following Memgrate's served list would. */
        interface Traffic {
            /** On in the dev profile; runs only while the dev clusters run. */
            @WithDefault("false")
            boolean enabled();

            /** The keys read over and over; a miss is stored, as a read-through cache does. */
            @WithDefault("5000")
            int keys();

            /** Gets sent each second, over all served nodes. */
            @WithDefault("1000")
            int getsPerSecond();
        }

        /** What stores a dev node's keys. */
        enum Store {
            /** memcached when it is on the PATH, else in-process. */
            AUTO,
            /** A memcached process per node; start-up fails when it is not installed. */
            MEMCACHED,
            /** Memgrate's own in-process store. */
            IN_PROCESS
        }
    }

    /** The cache nodes of both clusters, as Memgrate watches them. */
    interface Nodes {
        /** How often every node's own {@code stats} is read; {@code 0s} switches it off. */
        @WithDefault("30s")
        @WithConverter(Durations.Converter.class)
        Duration statsInterval();

        /**
         * Largest {@code stats} reply read from a node (memcached's is 3-4 KB); a longer one is refused as it streams
         * in, so a node that sends without end costs at most this much memory.
         */
        @WithDefault("16384")
        int maxStatsReplyBytes();
    }
}
