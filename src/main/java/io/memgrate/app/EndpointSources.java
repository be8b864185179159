package io.memgrate.app;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;
import io.memgrate.discovery.ClusterEndpointResolver;
import io.memgrate.discovery.ClusterIdEndpointSource;
import io.memgrate.discovery.DiscoveryException;
import io.memgrate.merge.MergeEngine;
import io.memgrate.metrics.MemgrateMetrics;
import io.memgrate.settings.MemgrateSettings;
import io.memgrate.upstream.EndpointSource;
import io.memgrate.upstream.StandInClusters;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Decides where each side's configuration endpoint comes from: a fixed {@code endpoint}, an ElastiCache
 * {@code cluster-id} resolved through the AWS API, or, in dev mode with neither, the stand-in (emulated) clusters.
 */
@ApplicationScoped
class EndpointSources {

    private final MemgrateSettings settings;
    /** The dev playground's clusters: resolvable in dev mode and tests only. */
    private final Instance<StandInClusters> standIns;
    private final Vertx vertx;
    private final MergeEngine view;
    private final MemgrateMetrics metrics;
    private ClusterEndpointResolver resolver;

    @Inject
    EndpointSources(MemgrateSettings settings, Instance<StandInClusters> standIns, Vertx vertx, MergeEngine view,
            MemgrateMetrics metrics) {
        this.settings = settings;
        this.standIns = standIns;
        this.vertx = vertx;
        this.view = view;
        this.metrics = metrics;
    }

    /** The source of every configured side; fails start-up with one line naming the property to fix. */
    synchronized Map<Side, EndpointSource> configured() {
        Map<Side, EndpointSource> sources = new EnumMap<>(Side.class);
        MemgrateSettings.Cluster primary = settings.primary();
        MemgrateSettings.Cluster secondary = settings.secondary();
        if (nothingSet(primary) && nothingSet(secondary) && standIns.isResolvable() && standIns.get().enabled()) {
            standIns.get().start().forEach((side, endpoint) -> sources.put(side, EndpointSource.fixed(endpoint)));
            return sources;
        }
        source(Side.PRIMARY, primary).ifPresentOrElse(source -> sources.put(Side.PRIMARY, source), () -> {
            throw new ConfigurationException("memgrate.primary.endpoint or memgrate.primary.cluster-id is required: set the"
                    + " primary (old) cluster's configuration endpoint as host:port, or its ElastiCache cluster ID"
                    + " (environment: MEMGRATE_PRIMARY_ENDPOINT or MEMGRATE_PRIMARY_CLUSTER_ID)");
        });
        source(Side.SECONDARY, secondary).ifPresent(source -> sources.put(Side.SECONDARY, source));
        return sources;
    }

    private static boolean nothingSet(MemgrateSettings.Cluster side) {
        return side.endpoint().isEmpty() && side.clusterId().isEmpty();
    }

    private Optional<EndpointSource> source(Side side, MemgrateSettings.Cluster cluster) {
        Optional<HostAndPort> endpoint = cluster.endpoint();
        Optional<String> clusterId = cluster.clusterId().map(String::trim).filter(id -> !id.isEmpty());
        if (endpoint.isPresent() && clusterId.isPresent()) {
            throw new ConfigurationException("memgrate." + side.label() + ".endpoint and memgrate." + side.label()
                    + ".cluster-id are exclusive: set one of them");
        }
        if (endpoint.isPresent()) {
            return Optional.of(EndpointSource.fixed(endpoint.get()));
        }
        return clusterId.map(id -> new ClusterIdEndpointSource(vertx, resolver(), id, settings.aws().resolveInterval(),
                new ClusterIdEndpointSource.Listener() {
                    @Override
                    public void resolved(String cluster, HostAndPort at) {
                        view.movedTo(side, "cluster " + cluster + " at " + at);
                    }

                    @Override
                    public void failed(String cluster, DiscoveryException error) {
                        metrics.resolutionFailed(side, error.reason());
                    }
                }));
    }

    private ClusterEndpointResolver resolver() {
        if (resolver == null) {
            try {
                resolver = new ClusterEndpointResolver(settings.aws().region(), settings.aws().endpointOverride());
            } catch (SdkClientException e) {
                throw new ConfigurationException("memgrate.aws.region is required to resolve cluster IDs: the AWS SDK"
                        + " found no default region (" + e.getMessage() + "); set it or AWS_REGION");
            }
        }
        return resolver;
    }

    @PreDestroy
    synchronized void close() {
        if (resolver != null) {
            resolver.close();
        }
    }
}
