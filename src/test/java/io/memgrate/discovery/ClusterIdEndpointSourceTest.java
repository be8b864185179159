package io.memgrate.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.support.ElastiCacheApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Caching, confirmation and rate-limited lookups of a cluster's configuration endpoint, with the real SDK. */
class ClusterIdEndpointSourceTest {

    private static final String CLUSTER = "orders-cache-old";

    private ElastiCacheApi api;
    private ClusterEndpointResolver resolver;
    private Vertx vertx;
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<HostAndPort> resolutions = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        api = new ElastiCacheApi();
        resolver = new ClusterEndpointResolver(Optional.of("us-east-1"), Optional.of(URI.create(api.url())));
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        resolver.close();
        api.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private ClusterIdEndpointSource source(Duration resolveInterval) {
        return new ClusterIdEndpointSource(vertx, resolver, CLUSTER, resolveInterval, new ClusterIdEndpointSource.Listener() {
            @Override
            public void resolved(String clusterId, HostAndPort endpoint) {
                resolutions.add(endpoint);
            }

            @Override
            public void failed(String clusterId, DiscoveryException error) {
                failures.add(error.reason());
            }
        });
    }

    private static <T> Future<T> settle(Future<T> future) {
        await().atMost(Duration.ofSeconds(15)).until(future::isComplete);
        return future;
    }

    @Test
    void beforeTheFirstResolutionFailuresAreReportedAndLookupsRateLimited() {
        api.notFound(CLUSTER);
        ClusterIdEndpointSource source = source(Duration.ofMinutes(5));
        Future<HostAndPort> first = settle(source.endpoint());
        assertThat(first.failed()).isTrue();
        assertThat(((DiscoveryException) first.cause()).reason()).isEqualTo("cluster-not-found");
        // asked again at once: the last error, without another API call
        Future<HostAndPort> second = settle(source.endpoint());
        assertThat(second.cause()).isSameAs(first.cause());
        assertThat(api.requests(CLUSTER)).isEqualTo(1);

        api.memcachedCluster(CLUSTER, "available", "orders.cfg.example", 11211);
        await().atMost(Duration.ofSeconds(10)).until(() -> settle(source.endpoint()).succeeded());
        assertThat(source.endpoint().result()).isEqualTo(new HostAndPort("orders.cfg.example", 11211));
        assertThat(failures).containsOnly("cluster-not-found");
    }

    @Test
    void failingApiNeverTakesAwayAResolvedEndpoint() {
        api.memcachedCluster(CLUSTER, "available", "orders.cfg.example", 11211);
        ClusterIdEndpointSource source = source(Duration.ofMillis(50));
        HostAndPort resolved = settle(source.endpoint()).result();
        api.accessDenied(CLUSTER);
        // stale after the resolve interval: confirmed in the background, and the confirmation fails
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            assertThat(settle(source.endpoint()).result()).isEqualTo(resolved);
            return failures.contains("access-denied");
        });
        assertThat(source.endpoint().result()).isEqualTo(resolved);
    }

    @Test
    void repeatedPollFailuresLookTheEndpointUpAgainWithBackoff() {
        api.memcachedCluster(CLUSTER, "available", "old.cfg.example", 11211);
        ClusterIdEndpointSource source = source(Duration.ofMinutes(5));
        assertThat(settle(source.endpoint()).result()).isEqualTo(new HostAndPort("old.cfg.example", 11211));
        api.memcachedCluster(CLUSTER, "available", "new.cfg.example", 11211);

        for (int i = 1; i < ClusterIdEndpointSource.FAILED_POLLS_BEFORE_LOOKUP; i++) {
            source.pollFailed();
        }
        assertThat(api.requests(CLUSTER)).as("no lookup before enough failed polls").isEqualTo(1);
        source.pollFailed();
        await().atMost(Duration.ofSeconds(10)).until(() -> settle(source.endpoint()).result().host().equals("new.cfg.example"));
        assertThat(api.requests(CLUSTER)).isEqualTo(2);
        assertThat(resolutions).extracting(HostAndPort::host).containsExactly("old.cfg.example", "new.cfg.example");

        // the new endpoint fails too: one lookup after three failures, then none until the backoff has passed
        for (int i = 0; i < 2 * ClusterIdEndpointSource.FAILED_POLLS_BEFORE_LOOKUP; i++) {
            source.pollFailed();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> api.requests(CLUSTER) == 3);
        for (int i = 0; i < ClusterIdEndpointSource.FAILED_POLLS_BEFORE_LOOKUP; i++) {
            source.pollFailed();
        }
        assertThat(api.requests(CLUSTER)).as("rate-limited by the backoff").isEqualTo(3);
    }
}
