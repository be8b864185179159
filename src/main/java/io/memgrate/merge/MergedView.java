package io.memgrate.merge;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.memgrate.config.MemgrateConfig;
import io.memgrate.protocol.ClusterConfig;
import io.memgrate.protocol.Node;
import io.memgrate.upstream.Side;

/**
 * The merged view: every upstream's last known good configuration and the merge of them that clients are served.
 * Nothing is served until every configured upstream has answered once (a partial merge would move keys for every
 * client); after that an upstream that fails keeps its last known good nodes in the merge.
 */
@ApplicationScoped
public class MergedView {

    private static final Logger LOG = Logger.getLogger(MergedView.class);

    private final EnumMap<Side, UpstreamState> upstreams = new EnumMap<>(Side.class);
    private final long versionOffset;
    private final Clock clock;
    private volatile ServedConfig served;
    private volatile String engineVersion;

    @Inject
    public MergedView(MemgrateConfig config) {
        this(config.versionOffset(), Clock.systemUTC());
    }

    MergedView(long versionOffset, Clock clock) {
        this.versionOffset = versionOffset;
        this.clock = clock;
    }

    /** Declares a configured upstream; the view stays incomplete until each declared one has answered. */
    public synchronized void expect(Side side, String endpoint) {
        upstreams.put(side, UpstreamState.waiting(side, endpoint));
    }

    /** Records where an upstream is polled now (it can change when its cluster is found again). */
    public synchronized void movedTo(Side side, String endpoint) {
        upstreams.computeIfPresent(side, (s, state) -> state.at(endpoint));
    }

    /** Records a valid answer from an upstream and re-merges when the served configuration changes. */
    public synchronized void answered(Side side, ClusterConfig config, String engine) {
        UpstreamState previous = upstreams.get(side);
        if (previous == null) {
            throw new IllegalStateException(side.label() + " upstream is not configured");
        }
        if (previous.hasAnswered() && config.version() < previous.lastGood().version()) {
            LOG.warnf("%s upstream %s: its configuration version went down from %d to %d (was the cluster replaced?). "
                    + "Clients ignore a version that does not rise and keep their old node list. Fix: raise "
                    + "memgrate.version-offset by at least %d on every Memgrate replica, then restart them.",
                    side.label(), previous.endpoint(), previous.lastGood().version(), config.version(),
                    previous.lastGood().version() - config.version() + 1);
        }
        upstreams.put(side, previous.answered(config, engine, clock.instant()));
        remerge();
    }

    /** Records a failed poll; the upstream's last known good configuration stays in the merge. */
    public synchronized void failed(Side side, String error) {
        upstreams.computeIfPresent(side, (s, state) -> state.failed(error, clock.instant()));
    }

    private void remerge() {
        UpstreamState primary = upstreams.get(Side.PRIMARY);
        UpstreamState secondary = upstreams.get(Side.SECONDARY);
        String engine = primary != null && primary.engineVersion() != null ? primary.engineVersion()
                : secondary != null ? secondary.engineVersion() : null;
        if (engine != null) {
            engineVersion = engine;
        }
        if (upstreams.values().stream().anyMatch(state -> !state.hasAnswered())) {
            return;
        }
        ClusterConfig merged;
        try {
            merged = ConfigMerger.merge(primary.lastGood(), secondary == null ? null : secondary.lastGood(), versionOffset);
        } catch (ConfigMerger.VersionOverflowException e) {
            LOG.errorf("Keeping the served configuration: %s", e.getMessage());
            return;
        }
        ServedConfig current = served;
        if (current != null && current.config().equals(merged)) {
            return;
        }
        logChange(current == null ? null : current.config(), merged);
        served = ServedConfig.of(merged);
    }

    private static void logChange(ClusterConfig before, ClusterConfig after) {
        if (before == null) {
            LOG.infof("Serving configuration version %d with %d nodes: %s", after.version(), after.nodes().size(), after.nodes());
            return;
        }
        List<Node> added = new ArrayList<>(after.nodes());
        added.removeAll(before.nodes());
        List<Node> removed = new ArrayList<>(before.nodes());
        removed.removeAll(after.nodes());
        LOG.infof("Served configuration changed: version %d -> %d, nodes added %s, removed %s",
                before.version(), after.version(), added, removed);
        if (after.version() <= before.version()) {
            LOG.warnf("The served version did not rise (%d -> %d): clients will keep their old node list until it "
                    + "does. Raise memgrate.version-offset by at least %d on every replica.",
                    before.version(), after.version(), before.version() - after.version() + 1);
        }
    }

    /** The configuration to serve, empty until every configured upstream has answered once. */
    public Optional<ServedConfig> served() {
        return Optional.ofNullable(served);
    }

    /** The primary's engine version, or the secondary's while the primary's is unknown. */
    public Optional<String> engineVersion() {
        return Optional.ofNullable(engineVersion);
    }

    public synchronized List<UpstreamState> upstreams() {
        return List.copyOf(upstreams.values());
    }

    /** Upstreams that have not answered yet, by label. */
    public synchronized List<String> waitingFor() {
        return upstreams.values().stream().filter(state -> !state.hasAnswered()).map(state -> state.side().label()).toList();
    }

    /** What is known of one configured upstream. */
    public synchronized Optional<UpstreamState> upstream(Side side) {
        return Optional.ofNullable(upstreams.get(side));
    }

    /** How many times any upstream's configuration version went down. */
    public synchronized long versionDecreases() {
        return upstreams.values().stream().mapToLong(UpstreamState::versionDecreases).sum();
    }
}
