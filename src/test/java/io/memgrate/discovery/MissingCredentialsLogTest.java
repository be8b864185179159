package io.memgrate.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memgrate.support.ElastiCacheApi;
import io.memgrate.support.LogLines;
import io.memgrate.support.NoAwsCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What an operator reads first when the pod has no AWS credentials (no IRSA annotation): one WARN line per side,
 * starting with the fix, however many lookups fail; the SDK's credential-provider chain only at DEBUG.
 */
@QuarkusTest
@WithTestResource(value = MissingCredentialsLogTest.ClusterIdsWithoutCredentials.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class MissingCredentialsLogTest {

    static final String PRIMARY = "old-memcached-cluster";
    static final String SECONDARY = "new-memcached-cluster";

    /** Every line Memgrate logs from before it starts, and the endpoint sources' DEBUG lines (one per failed lookup). */
    LogLines memgrate;
    LogLines lookups;
    NoAwsCredentials noCredentials;

    /**
     * Credentials back and the log as it was once the test has read it: the application keeps running after this class
     * (until a test needs another one), and the unit tests after it need the build's test keys.
     */
    @AfterEach
    void restore() {
        lookups.close();
        memgrate.close();
        noCredentials.close();
    }

    @Test
    void oneWarningPerSideStartingWithTheFixHoweverManyLookupsFail() {
        // The first lookup of each cluster and two more after the backoff (1 s, then 2 s): the failure repeats.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(lookups.count("cluster " + PRIMARY + ": no AWS credentials")).isGreaterThanOrEqualTo(3);
            assertThat(lookups.count("cluster " + SECONDARY + ": no AWS credentials")).isGreaterThanOrEqualTo(3);
        });
        List<String> warnings = memgrate.lines().stream().filter(line -> line.startsWith("WARN") || line.startsWith("ERROR")).toList();
        String fix = "no AWS credentials: on EKS, annotate Memgrate's service account with an IAM role (deploy/README.md,"
                + " step 2); elsewhere set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; cluster ";
        assertThat(warnings).as("one line per side").hasSize(2);
        assertThat(warnings).anySatisfy(line -> assertThat(line).startsWith("WARN primary upstream failed: " + fix + PRIMARY + " not looked up"));
        assertThat(warnings).anySatisfy(line -> assertThat(line).startsWith("WARN secondary upstream failed: " + fix + SECONDARY + " not looked up"));
        assertThat(warnings).allSatisfy(line -> assertThat(line).doesNotContain("CredentialsProvider").hasSizeLessThan(500));
    }

    /** Both sides by cluster ID, no credentials anywhere, the log captured from before Memgrate starts. */
    public static final class ClusterIdsWithoutCredentials implements QuarkusTestResourceLifecycleManager {

        private NoAwsCredentials noCredentials;
        private ElastiCacheApi api;
        private LogLines memgrate;
        private LogLines lookups;

        @Override
        public Map<String, String> start() {
            noCredentials = NoAwsCredentials.start();
            memgrate = LogLines.of("io.memgrate");
            lookups = LogLines.withDebug(ClusterIdEndpointSource.class.getName());
            // never asked (the SDK stops before sending without credentials), but no request could leave the machine
            api = new ElastiCacheApi();
            return Map.of(
                    "memgrate.listen.host", "127.0.0.1",
                    "memgrate.listen.port", "0",
                    "memgrate.refresh-interval", "100ms",
                    "memgrate.primary.cluster-id", PRIMARY,
                    "memgrate.secondary.cluster-id", SECONDARY,
                    "memgrate.aws.region", "us-east-1",
                    "memgrate.aws.endpoint-override", api.url());
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(noCredentials, new TestInjector.MatchesType(NoAwsCredentials.class));
            injector.injectIntoFields(memgrate, new TestInjector.MatchesType(LogLines.class) {
                @Override
                public boolean test(java.lang.reflect.Field field) {
                    return super.test(field) && field.getName().equals("memgrate");
                }
            });
            injector.injectIntoFields(lookups, new TestInjector.MatchesType(LogLines.class) {
                @Override
                public boolean test(java.lang.reflect.Field field) {
                    return super.test(field) && field.getName().equals("lookups");
                }
            });
        }

        @Override
        public void stop() {
            lookups.close();
            memgrate.close();
            api.close();
            noCredentials.close();
        }
    }
}
