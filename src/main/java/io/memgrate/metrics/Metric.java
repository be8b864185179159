package io.memgrate.metrics;

import java.util.List;

/**
 * Every metric Memgrate exports, as Prometheus names it: the one catalogue the code registers from and that the
 * metrics table of docs/operations.md, the Grafana dashboard and the alerts are checked against. The cluster side is always the label
 * {@code upstream} ({@code cluster} is the label multi-cluster Prometheus setups keep for the Kubernetes cluster).
 */
public enum Metric {
    CLIENT_REQUESTS(Type.COUNTER, "memgrate_client_requests_total", "Client requests by command and outcome",
            "command", "outcome"),
    CLIENT_CONNECTIONS(Type.GAUGE, "memgrate_client_connections", "Open client connections"),
    CLIENT_CONNECTIONS_REJECTED(Type.COUNTER, "memgrate_client_connections_rejected_total",
            "Client connections refused over memgrate.client.max-connections"),
    CLIENT_CONNECTION_ERRORS(Type.COUNTER, "memgrate_client_connection_errors_total",
            "Client connections that failed: reset by the client (io), a failed TLS handshake (tls), or other", "reason"),
    CLIENT_CONNECTIONS_BLOCKED(Type.GAUGE, "memgrate_client_connections_blocked",
            "Client connections not reading their replies: write queue full, reading paused"),
    CLIENT_CONNECTIONS_STALLED(Type.COUNTER, "memgrate_client_connections_stalled_total",
            "Client connections closed after leaving their replies unread for memgrate.client.write-stall-timeout"),
    CLIENT_BAD_INPUT(Type.COUNTER, "memgrate_client_bad_input_total", "Bad client input", "reason"),
    UPSTREAM_FETCH(Type.TIMER, "memgrate_upstream_fetch_seconds", "Latency of one upstream poll (configuration and version)",
            "upstream"),
    UPSTREAM_FETCH_FAILURES(Type.COUNTER, "memgrate_upstream_fetch_failures_total", "Failed upstream polls",
            "upstream", "reason"),
    UPSTREAM_CONFIG_VERSION(Type.GAUGE, "memgrate_upstream_config_version",
            "The upstream's last known good configuration version", "upstream"),
    UPSTREAM_NODES(Type.GAUGE, "memgrate_upstream_nodes", "Nodes in the upstream's last known good configuration",
            "upstream"),
    UPSTREAM_SECONDS_SINCE_SUCCESS(Type.GAUGE, "memgrate_upstream_seconds_since_success",
            "Seconds since the upstream last answered validly", "upstream"),
    UPSTREAM_VERSION_DECREASES(Type.COUNTER, "memgrate_upstream_version_decreases_total",
            "Times the upstream's configuration version went down", "upstream"),
    UPSTREAM_STATS_REQUESTS(Type.COUNTER, "memgrate_upstream_stats_requests_total",
            "stats requests sent to an upstream on behalf of clients", "upstream"),
    AWS_RESOLUTION_FAILURES(Type.COUNTER, "memgrate_aws_resolution_failures_total", "Failed cluster-ID lookups",
            "upstream", "reason"),
    SERVED_VERSION(Type.GAUGE, "memgrate_served_version", "Configuration version served to clients"),
    SERVED_NODES(Type.GAUGE, "memgrate_served_nodes", "Nodes in the served configuration"),
    SERVED_HELD(Type.GAUGE, "memgrate_served_held",
            "1 while a new node list is held back because its version does not rise above the served one"),
    SERVED_CLUSTER_NODES(Type.GAUGE, "memgrate_served_cluster_nodes", "Served nodes that this upstream's cluster lists",
            "upstream"),
    SERVED_HIT_RATIO(Type.GAUGE, "memgrate_served_hit_ratio",
            "Hit ratio of the served nodes over the last node statistics interval, weighted by their gets"),
    NEXT_STEP_SAFE(Type.GAUGE, "memgrate_next_step_safe",
            "1 when the next migration step looks safe: the node admitted last is warm, no served node is unreachable,"
                    + " the served hit ratio has not fallen by more than the warm margin since the last step"),
    NEXT_STEPS_COMPUTATIONS(Type.COUNTER, "memgrate_next_steps_computations_total",
            "Times the next steps were worked out, once after each change of their inputs"),
    NEXT_STEPS_LAST_SECONDS(Type.GAUGE, "memgrate_next_steps_last_seconds",
            "How long working out the next steps took the last time"),
    KEYS_MOVED_LAST_CHANGE_RATIO(Type.GAUGE, "memgrate_keys_moved_last_change_ratio",
            "Share of keys the last change of the served list moved to another node", "scheme"),
    KEYS_MOVED_NEXT_STEP_MIN_RATIO(Type.GAUGE, "memgrate_keys_moved_next_step_min_ratio",
            "Share of keys the gentlest single next step (admit or withdraw one node) would move, as last worked out",
            "scheme"),
    PLAN_REVISION(Type.GAUGE, "memgrate_plan_revision", "Revision of the migration plan applied; NaN while none is"),
    PLAN_REFUSALS(Type.COUNTER, "memgrate_plan_refusals_total", "Migration plans refused as a whole", "reason"),
    PLAN_READ_HANGING(Type.GAUGE, "memgrate_plan_read_hanging",
            "1 while a read of the plan file has not returned (a FIFO, a hung mount): plan checks are skipped meanwhile"),
    PLAN_CHECKS_SKIPPED(Type.COUNTER, "memgrate_plan_checks_skipped_total",
            "Plan checks skipped because the read before them had not returned"),
    AUTOPILOT_STATE(Type.GAUGE, "memgrate_autopilot_state",
            "1 for the autopilot's current state: off, waiting, paused or complete", "state"),
    AUTOPILOT_STEPS(Type.COUNTER, "memgrate_autopilot_steps_total",
            "Plans the autopilot wrote: steps taken, and steps it rolled back", "action", "outcome"),
    NODE_REACHABLE(Type.GAUGE, "memgrate_node_reachable",
            "1 when the node answered stats at the last read, 0 when not; NaN before the first read", "node", "upstream"),
    NODE_SERVED(Type.GAUGE, "memgrate_node_served", "1 when clients are served the node", "node", "upstream"),
    NODE_WARM(Type.GAUGE, "memgrate_node_warm", "1 when the plan admitted the node and it is warm", "node", "upstream"),
    NODE_HIT_RATIO(Type.GAUGE, "memgrate_node_hit_ratio", "Hits over gets in the last interval", "node", "upstream"),
    NODE_GETS_PER_SECOND(Type.GAUGE, "memgrate_node_gets_per_second", "Gets per second over the last interval",
            "node", "upstream"),
    NODE_SETS_PER_SECOND(Type.GAUGE, "memgrate_node_sets_per_second", "Sets per second over the last interval",
            "node", "upstream"),
    NODE_EVICTIONS_PER_SECOND(Type.GAUGE, "memgrate_node_evictions_per_second",
            "Evictions per second over the last interval", "node", "upstream"),
    NODE_ITEMS(Type.GAUGE, "memgrate_node_items", "curr_items at the last read", "node", "upstream"),
    NODE_BYTES_USED_RATIO(Type.GAUGE, "memgrate_node_bytes_used_ratio", "bytes over limit_maxbytes at the last read",
            "node", "upstream"),
    NODE_CONNECTIONS(Type.GAUGE, "memgrate_node_connections", "curr_connections at the last read", "node", "upstream");

    /** How Prometheus types the metric; a timer is a summary of seconds. */
    public enum Type {
        GAUGE, COUNTER, TIMER
    }

    private final Type type;
    private final String name;
    private final String help;
    private final List<String> labels;

    Metric(Type type, String name, String help, String... labels) {
        this.type = type;
        this.name = name;
        this.help = help;
        this.labels = List.of(labels);
    }

    public Type type() {
        return type;
    }

    /** The name in Prometheus, as exported and queried. */
    public String prometheusName() {
        return name;
    }

    /** The name to register with Micrometer, whose Prometheus naming adds {@code _total} or {@code _seconds} back. */
    public String meterName() {
        String base = switch (type) {
            case GAUGE -> name;
            case COUNTER -> name.substring(0, name.length() - "_total".length());
            case TIMER -> name.substring(0, name.length() - "_seconds".length());
        };
        return base.replace('_', '.');
    }

    /** The labels every series carries (the state metrics write them in this order: by name, as Micrometer does). */
    public List<String> labels() {
        return labels;
    }

    public String help() {
        return help;
    }
}
