package io.memgrate.app;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.memgrate.autopilot.Autopilot;
import io.memgrate.cluster.Side;
import io.memgrate.control.PlanWatcher;
import io.memgrate.merge.MergeEngine;
import io.memgrate.server.ConfigEndpointServer;
import io.memgrate.settings.SettingsChecks;
import io.memgrate.upstream.EndpointSource;
import io.memgrate.upstream.Upstreams;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The one place that wires Memgrate together and starts and stops it, in this order:
 * <ol>
 * <li>check the settings, so a refused one stops start-up before anything listens or polls;</li>
 * <li>find each side's configuration endpoint source (fixed, an ElastiCache cluster ID, or the dev clusters) and
 * declare the sides to the merge engine, so nothing is served until each has answered;</li>
 * <li>apply the migration plan file, if any, so the first merge is served under it;</li>
 * <li>bind the client listener, so a port in use stops start-up before any upstream is polled;</li>
 * <li>start polling, and watching the plan file;</li>
 * <li>start the autopilot, when enabled: it goes on from the plan in force.</li>
 * </ol>
 * On shutdown the listener drains first, answering what clients already asked from the view the pollers keep
 * current, then the pollers stop.
 */
@ApplicationScoped
public class Memgrate {

    private final SettingsChecks settingsChecks;
    private final EndpointSources endpointSources;
    private final MergeEngine view;
    private final ConfigEndpointServer server;
    private final Upstreams upstreams;
    private final PlanWatcher planWatcher;
    private final Autopilot autopilot;

    @Inject
    public Memgrate(SettingsChecks settingsChecks, EndpointSources endpointSources, MergeEngine view,
            ConfigEndpointServer server, Upstreams upstreams, PlanWatcher planWatcher, Autopilot autopilot) {
        this.settingsChecks = settingsChecks;
        this.endpointSources = endpointSources;
        this.view = view;
        this.server = server;
        this.upstreams = upstreams;
        this.planWatcher = planWatcher;
        this.autopilot = autopilot;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        settingsChecks.check();
        Map<Side, EndpointSource> sources = endpointSources.configured();
        sources.forEach((side, source) -> view.expect(side, source.toString()));
        planWatcher.load();
        server.start();
        upstreams.start(sources);
        planWatcher.start();
        autopilot.start();
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        autopilot.stop();
        planWatcher.stop();
        server.stop();
        upstreams.stop();
    }
}
