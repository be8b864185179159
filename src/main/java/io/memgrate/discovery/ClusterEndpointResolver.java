package io.memgrate.discovery;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.HostNames;
import io.memgrate.cluster.Printable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticache.ElastiCacheClient;
import software.amazon.awssdk.services.elasticache.ElastiCacheClientBuilder;
import software.amazon.awssdk.services.elasticache.model.CacheCluster;
import software.amazon.awssdk.services.elasticache.model.CacheClusterNotFoundException;
import software.amazon.awssdk.services.elasticache.model.Endpoint;

/**
 * Turns an ElastiCache cluster ID into its configuration endpoint with {@code DescribeCacheClusters}.
 * Blocking: call it on a worker thread, never on an event loop. The SDK retries throttling and 5xx answers with
 * backoff (its standard retry mode) before an error reaches this class; each error that remains becomes a
 * {@link DiscoveryException} whose message says what to fix.
 */
public class ClusterEndpointResolver implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterEndpointResolver.class);
    /** What an operator does when the SDK finds no credentials: the start of the one line logged for each side. */
    static final String NO_CREDENTIALS = "no AWS credentials: on EKS, annotate Memgrate's service account with an IAM role"
            + " (deploy/README.md, step 2); elsewhere set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE";

    /** Statuses in which a memcached cluster's configuration endpoint answers. */
    private static final Set<String> USABLE = Set.of("available", "modifying", "snapshotting", "rebooting cache cluster nodes");

    private final ElastiCacheClient client;
    private final String regionDescription;

    public ClusterEndpointResolver(Optional<String> region, Optional<URI> endpointOverride) {
        ElastiCacheClientBuilder builder = ElastiCacheClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        region.map(Region::of).ifPresent(builder::region);
        endpointOverride.ifPresent(builder::endpointOverride);
        this.client = builder.build();
        this.regionDescription = region.orElse("the default region") + endpointOverride.map(uri -> " (API at " + uri + ")").orElse("");
    }

    /** The configuration endpoint of {@code clusterId}; throws {@link DiscoveryException}. */
    public HostAndPort resolve(String clusterId) {
        CacheCluster cluster;
        try {
            cluster = client.describeCacheClusters(request -> request.cacheClusterId(clusterId)).cacheClusters()
                    .stream().findFirst()
                    .orElseThrow(() -> notFound(clusterId));
        } catch (CacheClusterNotFoundException e) {
            throw notFound(clusterId);
        } catch (AwsServiceException e) {
            throw classify(clusterId, e);
        } catch (SdkClientException e) {
            throw unreachable(clusterId, e);
        } catch (SdkException e) {
            throw new DiscoveryException("sdk", "resolving cluster " + clusterId + " failed: " + e.getMessage());
        }
        return configurationEndpoint(clusterId, cluster);
    }

    private static HostAndPort configurationEndpoint(String clusterId, CacheCluster cluster) {
        String engine = cluster.engine() == null ? "unknown" : cluster.engine().toLowerCase(Locale.ROOT);
        if (!engine.equals("memcached")) {
            throw new DiscoveryException("not-memcached", "cluster " + clusterId + " is a " + engine
                    + " cluster; Memgrate needs a memcached cluster with a configuration endpoint");
        }
        String status = cluster.cacheClusterStatus() == null ? "unknown" : cluster.cacheClusterStatus();
        if (!USABLE.contains(status)) {
            throw new DiscoveryException("not-usable", "cluster " + clusterId + " is " + status
                    + "; Memgrate waits until it is available");
        }
        Endpoint endpoint = cluster.configurationEndpoint();
        if (endpoint == null || endpoint.address() == null || endpoint.port() == null) {
            throw new DiscoveryException("no-configuration-endpoint", "cluster " + clusterId
                    + " has no configuration endpoint; Memgrate needs a memcached cluster with a configuration endpoint");
        }
        HostNames.problem(endpoint.address()).ifPresent(problem -> {
            throw new DiscoveryException("bad-endpoint", "cluster " + clusterId + " has configuration endpoint '"
                    + endpoint.address() + "', which is not a DNS name: " + problem);
        });
        if (endpoint.port() < 1 || endpoint.port() > 65535) {
            throw new DiscoveryException("bad-endpoint", "cluster " + clusterId + " has configuration endpoint port "
                    + endpoint.port() + ", outside 1-65535");
        }
        return new HostAndPort(endpoint.address(), endpoint.port());
    }

    private DiscoveryException notFound(String clusterId) {
        return new DiscoveryException("cluster-not-found", "ElastiCache cluster " + clusterId + " not found in "
                + regionDescription + "; check the cluster ID and memgrate.aws.region");
    }

    private static DiscoveryException classify(String clusterId, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
        if (e.statusCode() == 403 || code.startsWith("AccessDenied") || code.equals("UnauthorizedOperation")) {
            return new DiscoveryException("access-denied", "access denied to elasticache:DescribeCacheClusters for cluster "
                    + clusterId + ": allow that action to Memgrate's IAM role (deploy/iam-policy.json) [" + code + "]");
        }
        if (e.isThrottlingException()) {
            return new DiscoveryException("throttled", "the ElastiCache API kept throttling DescribeCacheClusters for cluster "
                    + clusterId + " after the SDK's retries; Memgrate tries again later [" + code + "]");
        }
        if (e.statusCode() >= 500) {
            return new DiscoveryException("aws-server-error", "the ElastiCache API failed (HTTP " + e.statusCode()
                    + ") for cluster " + clusterId + " after the SDK's retries; Memgrate tries again later");
        }
        return new DiscoveryException("aws-error", "DescribeCacheClusters for cluster " + clusterId + " failed: HTTP "
                + e.statusCode() + " " + code + ": " + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()));
    }

    private DiscoveryException unreachable(String clusterId, SdkClientException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("credentials")) {
            // The SDK's message lists each provider of its chain and why it found nothing (about 1.5 KB): at DEBUG, for
            // whoever needs to know where it looked; the operator's line says what to do.
            LOG.debugf("cluster %s: the AWS SDK found no credentials: %s", clusterId, Printable.escape(message));
            return new DiscoveryException("credentials", NO_CREDENTIALS + "; cluster " + clusterId + " not looked up (the"
                    + " SDK's credential providers: DEBUG log of " + ClusterEndpointResolver.class.getName() + ")");
        }
        return new DiscoveryException("unreachable", "cannot reach the ElastiCache API in " + regionDescription + ": " + message);
    }

    @Override
    public void close() {
        client.close();
    }
}
