package io.memgrate.autopilot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The plan revision each replica serves, on its own Pod: the kubelet brings a ConfigMap edit to each pod at its own
 * moment (up to about a minute apart), so a step counts as taken only once every ready replica serves it. Each replica
 * annotates its Pod with the revision it applies; the replica deciding lists Memgrate's pods and reads theirs.
 */
final class ReplicaRevisions {

    static final String ANNOTATION = "memgrate.io/plan-revision";

    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final Map<String, String> selector;
    /** The revision last written on this replica's Pod; -1 before the first. */
    private long published = -1;
    private volatile Map<String, Long> lastSeen = Map.of();

    /** @param selector the label selector of Memgrate's pods, {@code key=value[,key=value...]} */
    ReplicaRevisions(KubernetesClient client, String namespace, String pod, String selector) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.selector = labels(selector);
    }

    /** Writes {@code revision} on this replica's Pod, when it is not there yet. */
    void publish(long revision) {
        if (revision == published) {
            return;
        }
        client.pods().inNamespace(namespace).withName(pod).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"" + revision + "\"}}}");
        published = revision;
    }

    /**
     * Why a step on {@code revision} is not taken yet on every ready replica: the ready pods that do not serve it; empty
     * when all do. This replica's own Pod must be among those the selector selects, or the check would be vacuous.
     */
    Optional<String> behind(long revision) {
        List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems();
        Map<String, Long> seen = new LinkedHashMap<>();
        List<String> behind = new ArrayList<>();
        for (Pod each : pods) {
            if (!ready(each)) {
                continue;
            }
            String name = each.getMetadata().getName();
            Long serves = served(each);
            seen.put(name, serves);
            if (serves == null || serves != revision) {
                behind.add("replica " + name + " serves " + (serves == null ? "no plan revision yet" : "plan revision "
                        + serves) + ", not " + revision + " yet");
            }
        }
        lastSeen = seen;
        if (pods.stream().noneMatch(each -> pod.equals(each.getMetadata().getName()))) {
            return Optional.of("this replica's pod " + pod + " is not among those memgrate.migration.autopilot.pod-selector"
                    + " selects (" + selector + "): set it to the labels of Memgrate's pods");
        }
        return behind.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", behind));
    }

    /** The ready replicas and the revision each serves (null: none yet), as last listed. */
    Map<String, Long> lastSeen() {
        return lastSeen;
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(condition -> "Ready".equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    private static Long served(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(ANNOTATION);
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<String, String> labels(String selector) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : selector.split(",")) {
            int equals = pair.indexOf('=');
            labels.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return labels;
    }
}
