package io.memgrate.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.support.ElastiCacheApi;
import io.memgrate.support.FreePorts;
import io.memgrate.support.LogLines;
import io.memgrate.support.NoAwsCredentials;

/** The real AWS SDK against an emulated ElastiCache API over HTTP: each AWS answer becomes a defined outcome. */
class ClusterEndpointResolverTest {

    private static ElastiCacheApi api;
    private static ClusterEndpointResolver resolver;

    @BeforeAll
    static void start() {
        api = new ElastiCacheApi();
        resolver = new ClusterEndpointResolver(Optional.of("us-east-1"), Optional.of(URI.create(api.url())));
    }

    @AfterAll
    static void stop() {
        resolver.close();
        api.close();
    }

    @Test
    void memcachedClusterResolvesToItsConfigurationEndpoint() {
        api.memcachedCluster("orders-old", "available", "orders-old.abc123.cfg.use1.cache.amazonaws.com", 11211);
        assertThat(resolver.resolve("orders-old"))
                .isEqualTo(new HostAndPort("orders-old.abc123.cfg.use1.cache.amazonaws.com", 11211));
    }

    @Test
    void modifyingClusterIsUsable() {
        api.memcachedCluster("orders-mod", "modifying", "orders-mod.cfg.example", 11211);
        assertThat(resolver.resolve("orders-mod")).isEqualTo(new HostAndPort("orders-mod.cfg.example", 11211));
    }

    @Test
    void redisClusterIsRefusedWithAClearMessage() {
        api.redisCluster("sessions");
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("sessions"));
        assertThat(error.reason()).isEqualTo("not-memcached");
        assertThat(error).hasMessage("cluster sessions is a redis cluster; Memgrate needs a memcached cluster with a configuration endpoint");
    }

    @Test
    void clusterBeingCreatedIsNotUsableYet() {
        api.memcachedCluster("orders-new", "creating", "orders-new.cfg.example", 11211);
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("orders-new"));
        assertThat(error.reason()).isEqualTo("not-usable");
        assertThat(error).hasMessage("cluster orders-new is creating; Memgrate waits until it is available");
    }

    @Test
    void anEndpointAddressThatIsNotADnsNameIsRefusedNamedEscaped() {
        api.memcachedCluster("odd-host", "available", "n&#246;de.cfg.example&#9;&#13;&#10;x", 11211);
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("odd-host"));
        assertThat(error.reason()).isEqualTo("bad-endpoint");
        assertThat(error).hasMessage("cluster odd-host has configuration endpoint 'n\\xf6de.cfg.example\\x09\\x0d\\x0ax', which is"
                + " not a DNS name: character '\\xf6' at 1 is not a letter, digit, hyphen or dot");
    }

    @Test
    void aStatusWithControlCharactersIsQuotedEscaped() {
        api.memcachedCluster("odd-status", "creating&#9;&#10;WARN forged", "odd-status.cfg.example", 11211);
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("odd-status"));
        assertThat(error).hasMessage("cluster odd-status is creating\\x09\\x0aWARN forged; Memgrate waits until it is available");
    }

    @Test
    void unknownClusterIsNotFound() {
        api.notFound("typo-cluster");
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("typo-cluster"));
        assertThat(error.reason()).isEqualTo("cluster-not-found");
        assertThat(error.getMessage()).startsWith("ElastiCache cluster typo-cluster not found in us-east-1")
                .endsWith("check the cluster ID and memgrate.aws.region");
    }

    @Test
    void accessDeniedNamesTheIamAction() {
        api.accessDenied("locked");
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("locked"));
        assertThat(error.reason()).isEqualTo("access-denied");
        assertThat(error.getMessage()).startsWith("access denied to elasticache:DescribeCacheClusters for cluster locked: "
                + "allow that action to Memgrate's IAM role (deploy/iam-policy.json)");
        assertThat(api.requests("locked")).isEqualTo(1);
    }

    @Test
    void throttlingIsRetriedBySdkThenReported() {
        api.throttling("busy");
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("busy"));
        assertThat(error.reason()).isEqualTo("throttled");
        assertThat(api.requests("busy")).as("the SDK retried with backoff").isGreaterThan(1);
    }

    @Test
    void serverErrorIsRetriedBySdkThenReported() {
        api.serverError("flaky");
        DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> resolver.resolve("flaky"));
        assertThat(error.reason()).isEqualTo("aws-server-error");
        assertThat(error.getMessage()).contains("HTTP 500");
        assertThat(api.requests("flaky")).as("the SDK retried with backoff").isGreaterThan(1);
    }

    @Test
    void withoutCredentialsTheMessageStartsWithTheFixAndTheSdkChainIsLoggedAtDebug() {
        api.memcachedCluster("orders-old", "available", "orders-old.cfg.example", 11211);
        try (NoAwsCredentials none = NoAwsCredentials.start();
                LogLines debug = LogLines.withDebug(ClusterEndpointResolver.class.getName());
                ClusterEndpointResolver uncredentialed = new ClusterEndpointResolver(Optional.of("us-east-1"),
                        Optional.of(URI.create(api.url())))) {
            DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> uncredentialed.resolve("orders-old"));
            assertThat(error.reason()).isEqualTo("credentials");
            assertThat(error.getMessage()).startsWith("no AWS credentials: on EKS, annotate Memgrate's service account with an"
                    + " IAM role (deploy/README.md, step 2); elsewhere set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE")
                    .contains("cluster orders-old not looked up")
                    .doesNotContain("CredentialsProvider")
                    .hasSizeLessThan(400);
            assertThat(api.requests("orders-old")).as("nothing is sent without credentials").isZero();
            assertThat(debug.lines()).singleElement().asString()
                    .startsWith("DEBUG cluster orders-old: the AWS SDK found no credentials: Unable to load credentials from any of"
                            + " the providers in the chain")
                    .contains("EnvironmentVariableCredentialsProvider", "WebIdentityTokenFileCredentialsProvider",
                            "InstanceProfileCredentialsProvider");
        }
    }

    @Test
    void unreachableApiIsReported() {
        try (ClusterEndpointResolver offline = new ClusterEndpointResolver(Optional.of("us-east-1"),
                Optional.of(URI.create("http://127.0.0.1:" + FreePorts.next())))) {
            DiscoveryException error = catchThrowableOfType(DiscoveryException.class, () -> offline.resolve("orders-old"));
            assertThat(error.reason()).isEqualTo("unreachable");
            assertThat(error.getMessage()).startsWith("cannot reach the ElastiCache API in us-east-1");
        }
    }
}
