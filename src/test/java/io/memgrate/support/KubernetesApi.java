package io.memgrate.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A Kubernetes API server for tests: fabric8's mock server in CRUD mode (it keeps what is written, serves it back, and
 * refuses a write with a stale {@code resourceVersion} with 409 Conflict, as the real one does), started by the test
 * itself. As a Quarkus test resource it points the application's Kubernetes client at it and, with init arg
 * {@link #PLAN}, creates the plan's ConfigMap {@link #PLAN_CONFIGMAP} holding it under {@link #PLAN_KEY}; a test gets
 * it in a field of this type.
 */
public class KubernetesApi implements QuarkusTestResourceLifecycleManager, AutoCloseable {

    public static final String NAMESPACE = "memgrate";
    public static final String PLAN_CONFIGMAP = "memgrate-plan";
    /** The key the plan is under: the plan file's name, as a ConfigMap volume names its files. */
    public static final String PLAN_KEY = "plan.yaml";
    /** Memgrate's pods' labels, as deploy/ sets them and memgrate.migration.autopilot.pod-selector selects them. */
    public static final String POD_SELECTOR = "app.kubernetes.io/name=memgrate";
    /** Init arg: the plan the ConfigMap starts with. */
    public static final String PLAN = "plan";
    /** Where each replica says which plan revision it serves. */
    public static final String REVISION_ANNOTATION = "memgrate.io/plan-revision";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private String initialPlan;

    /** A server of its own, for a test without the application. */
    public static KubernetesApi started() {
        KubernetesApi api = new KubernetesApi();
        api.startServer();
        return api;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        initialPlan = initArgs.get(PLAN);
    }

    @Override
    public Map<String, String> start() {
        startServer();
        if (initialPlan != null) {
            createPlan(initialPlan);
        }
        return Map.of("quarkus.kubernetes-client.api-server-url", server.url("/"),
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.trust-certs", "true");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(this, new TestInjector.MatchesType(KubernetesApi.class));
    }

    private void startServer() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient().inNamespace(NAMESPACE);
    }

    /** A client of the server, in namespace {@link #NAMESPACE}. */
    public KubernetesClient client() {
        return client;
    }

    public ConfigMap createPlan(String plan) {
        return client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName(PLAN_CONFIGMAP)
                .withNamespace(NAMESPACE).endMetadata().addToData(PLAN_KEY, plan).build()).create();
    }

    /** A pod of Memgrate's, ready, serving {@code revision} (null: no annotation yet), as the downward API names it. */
    public void createReadyPod(String name, Long revision) {
        client.pods().resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels("app.kubernetes.io/name", "memgrate")
                .addToAnnotations(revision == null ? Map.of() : Map.of(REVISION_ANNOTATION, String.valueOf(revision)))
                .endMetadata().withNewSpec().addNewContainer().withName("memgrate").withImage("memgrate").endContainer()
                .endSpec().withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build()).create();
    }

    /** The plan revision a pod says it serves; null when it says none. */
    public Long podRevision(String name) {
        Map<String, String> annotations = client.pods().withName(name).get().getMetadata().getAnnotations();
        return annotations == null || !annotations.containsKey(REVISION_ANNOTATION) ? null
                : Long.valueOf(annotations.get(REVISION_ANNOTATION));
    }

    /** As that replica would say it serves {@code revision}. */
    public void setPodRevision(String name, long revision) {
        client.pods().withName(name).edit(pod -> new PodBuilder(pod).editMetadata()
                .addToAnnotations(REVISION_ANNOTATION, String.valueOf(revision)).endMetadata().build());
    }

    /** How many requests the server has had. */
    public int requests() {
        return server.getRequestCount();
    }

    /** The plan the ConfigMap holds now. */
    public String plan() {
        return client.configMaps().withName(PLAN_CONFIGMAP).get().getData().get(PLAN_KEY);
    }

    /** The Events on the plan's ConfigMap, oldest first. */
    public List<Event> planEvents() {
        return client.v1().events().list().getItems().stream()
                .filter(event -> "ConfigMap".equals(event.getInvolvedObject().getKind())
                        && PLAN_CONFIGMAP.equals(event.getInvolvedObject().getName()))
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
                .toList();
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
    }
}
