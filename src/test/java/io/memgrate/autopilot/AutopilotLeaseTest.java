package io.memgrate.autopilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.memgrate.support.KubernetesApi;

/**
 * Two autopilot replicas share one Lease against a Kubernetes API (fabric8's mock server in CRUD mode): only the holder
 * writes the plan's ConfigMap, the other says who holds it; the other takes the Lease once it expires or is released.
 */
class AutopilotLeaseTest {

    private static final String LEASE = "memgrate-autopilot";
    private static final Duration LEASE_DURATION = Duration.ofSeconds(1);

    private KubernetesApi api;
    private ExecutorService replicas;

    @BeforeEach
    void start() {
        api = KubernetesApi.started();
        api.createPlan("revision: 1\n");
        replicas = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        replicas.shutdownNow();
        api.close();
    }

    @Test
    void ofTwoReplicasSharingTheLeaseOnlyTheHolderWritesThePlan() throws Exception {
        ConfigMapPlanWriter a = writer("pod-a");
        ConfigMapPlanWriter b = writer("pod-b");

        // both at once, as two pods' autopilot ticks: decide only when holding the Lease, then write revision 2
        Future<Boolean> wroteA = replicas.submit(tick(a, "pod-a"));
        Future<Boolean> wroteB = replicas.submit(tick(b, "pod-b"));

        assertThat(List.of(wroteA.get(), wroteB.get())).as("which replica wrote").containsOnlyOnce(true);
        String holder = wroteA.get() ? "pod-a" : "pod-b";
        ConfigMapPlanWriter waiting = wroteA.get() ? b : a;
        assertThat(api.plan()).isEqualTo("# written by " + holder + "\nrevision: 2\n");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(holder);
        assertThat(waiting.decidedElsewhere()).contains("another replica (" + holder + ") holds the lease " + LEASE);
        // the plan it would write next is in force now, as the other one's: the Lease alone keeps it from writing
        for (int tick = 0; tick < 3; tick++) {
            assertThat(replicas.submit(() -> waiting.decidedElsewhere().isEmpty() && waiting.write(2, "revision: 3\n")).get())
                    .as("the replica without the Lease wrote").isFalse();
        }
        assertThat(api.plan()).isEqualTo("# written by " + holder + "\nrevision: 2\n");
    }

    @Test
    void theOtherReplicaTakesTheLeaseWhenItExpiresOrIsReleased() {
        ConfigMapPlanWriter a = writer("pod-a");
        ConfigMapPlanWriter b = writer("pod-b");
        assertThat(a.decidedElsewhere()).isEmpty();
        assertThat(b.decidedElsewhere()).contains("another replica (pod-a) holds the lease " + LEASE);

        // pod-a stops renewing (it hangs, or its node is gone): pod-b takes the Lease once it has expired
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(b::decidedElsewhere, Optional::isEmpty);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("pod-b");
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(a.decidedElsewhere()).contains("another replica (pod-b) holds the lease " + LEASE);

        // pod-b stops (a rollout): it lets the Lease go, and pod-a takes it at once, before it would expire
        b.stop();
        assertThat(a.decidedElsewhere()).isEmpty();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("pod-a");
    }

    /** One autopilot tick that decided to write revision 2 over revision 1, as {@link Autopilot} takes it. */
    private static Callable<Boolean> tick(ConfigMapPlanWriter writer, String name) {
        return () -> writer.decidedElsewhere().isEmpty() && writer.write(1, "# written by " + name + "\nrevision: 2\n");
    }

    private ConfigMapPlanWriter writer(String pod) {
        PlanLease lease = new PlanLease(api.client(), KubernetesApi.NAMESPACE, LEASE, pod, LEASE_DURATION, Clock.systemUTC());
        return new ConfigMapPlanWriter(api.client(), KubernetesApi.NAMESPACE, KubernetesApi.PLAN_CONFIGMAP,
                KubernetesApi.PLAN_KEY, lease, new ReplicaRevisions(api.client(), KubernetesApi.NAMESPACE, pod,
                        KubernetesApi.POD_SELECTOR), pod, Clock.systemUTC());
    }

    private Lease lease() {
        return api.client().resources(Lease.class).withName(LEASE).get();
    }
}
