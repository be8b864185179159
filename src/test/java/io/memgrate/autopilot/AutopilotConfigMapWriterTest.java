package io.memgrate.autopilot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.memgrate.support.KubernetesApi;

/**
 * The autopilot's writes into the plan's ConfigMap against a Kubernetes API (fabric8's mock server in CRUD mode): a
 * compare-and-swap on the {@code resourceVersion}, where a conflict is read again and decided again from the fresh
 * ConfigMap, so a person's concurrent edit is never overwritten; and each step an Event on the ConfigMap.
 */
class AutopilotConfigMapWriterTest {

    private static final String NEXT = "# memgrate-autopilot: revision 2, step 1 of 4: admitted new-2\nrevision: 2\n"
            + "admit: [new-2]\nwithdraw: []\n";

    private KubernetesApi api;
    private ConfigMapPlanWriter writer;

    @BeforeEach
    void start() {
        api = KubernetesApi.started();
        api.createPlan("revision: 1\n");
        PlanLease lease = new PlanLease(api.client(), KubernetesApi.NAMESPACE, "memgrate-autopilot", "pod-a",
                Duration.ofSeconds(15), Clock.systemUTC());
        writer = new ConfigMapPlanWriter(api.client(), KubernetesApi.NAMESPACE, KubernetesApi.PLAN_CONFIGMAP,
                KubernetesApi.PLAN_KEY, lease, new ReplicaRevisions(api.client(), KubernetesApi.NAMESPACE, "pod-a",
                        KubernetesApi.POD_SELECTOR), "pod-a", Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aStaleWriteIsReadAgainAndWrittenOverTheFreshConfigMapWhenItStillHoldsThePlanInForce() throws Exception {
        ConfigMap stale = writer.read();
        // a person labels the ConfigMap meanwhile: its resourceVersion changes, its plan does not
        api.client().configMaps().resource(new ConfigMapBuilder(stale).editMetadata().addToLabels("team", "cache")
                .endMetadata().build()).update();

        assertThat(writer.writeOver(stale, 1, NEXT)).isTrue();

        ConfigMap written = api.client().configMaps().withName(KubernetesApi.PLAN_CONFIGMAP).get();
        assertThat(written.getData()).containsEntry(KubernetesApi.PLAN_KEY, NEXT);
        assertThat(written.getMetadata().getLabels()).as("the person's label, kept").containsEntry("team", "cache");
    }

    @Test
    void aPersonsConcurrentEditIsNeverOverwritten() throws Exception {
        ConfigMap stale = writer.read();
        String persons = "revision: 2\nadmit: [new-1]\n";
        api.client().configMaps().resource(new ConfigMapBuilder(stale).addToData(KubernetesApi.PLAN_KEY, persons).build())
                .update();

        assertThat(writer.writeOver(stale, 1, NEXT)).as("written over the person's edit").isFalse();
        assertThat(writer.write(1, NEXT)).as("written from a fresh read").isFalse();

        assertThat(api.plan()).isEqualTo(persons);
    }

    @Test
    void eachStepIsAnEventOnThePlansConfigMap() {
        writer.announce(new AutopilotDecision.Notice("AutopilotAdmitted", false,
                "admitted new-2 (ketama-aws-java: 19.3% of keys moved)"));
        writer.announce(new AutopilotDecision.Notice("AutopilotRolledBack", true,
                "rolled back admit new-2 (plan revision 3) and paused: new-2 is not warm 1h after it was admitted"));

        assertThat(api.planEvents()).extracting(Event::getReason, Event::getType, Event::getMessage).containsExactly(
                org.assertj.core.groups.Tuple.tuple("AutopilotAdmitted", "Normal",
                        "admitted new-2 (ketama-aws-java: 19.3% of keys moved)"),
                org.assertj.core.groups.Tuple.tuple("AutopilotRolledBack", "Warning",
                        "rolled back admit new-2 (plan revision 3) and paused: new-2 is not warm 1h after it was admitted"));
        Event admitted = api.planEvents().get(0);
        assertThat(admitted.getInvolvedObject().getUid()).isEqualTo(
                api.client().configMaps().withName(KubernetesApi.PLAN_CONFIGMAP).get().getMetadata().getUid());
        assertThat(admitted.getReportingInstance()).isEqualTo("pod-a");
        assertThat(admitted.getSource().getComponent()).isEqualTo("memgrate-autopilot");
    }
}
