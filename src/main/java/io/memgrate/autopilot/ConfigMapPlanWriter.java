package io.memgrate.autopilot;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.memgrate.plan.PlanFile;
import io.memgrate.plan.PlanRefusedException;

/**
 * On Kubernetes: writes plans into the plan's ConfigMap through the Kubernetes API, where a person's
 * {@code kubectl edit} would; the kubelet brings it to each replica's plan file, which Memgrate applies as any edit.
 * Every write is a compare-and-swap on the ConfigMap's {@code resourceVersion}: on a conflict the ConfigMap is read
 * again, and written only when it still holds the plan the decision was made on, so a person's edit is never
 * overwritten. One replica writes at a time, the holder of the {@link PlanLease}; each step is also an Event on the
 * ConfigMap, and each replica's plan revision is on its Pod ({@link ReplicaRevisions}).
 */
final class ConfigMapPlanWriter implements PlanWriter {

    private static final Logger LOG = Logger.getLogger(ConfigMapPlanWriter.class);
    private static final int TRIES = 5;
    private static final String COMPONENT = "memgrate-autopilot";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String key;
    private final PlanLease lease;
    private final ReplicaRevisions replicas;
    private final String identity;
    private final Clock clock;

    /**
     * @param key      the ConfigMap's key holding the plan: the plan file's name in the mounted folder
     * @param identity this replica, as the Events' reporting instance
     */
    ConfigMapPlanWriter(KubernetesClient client, String namespace, String name, String key, PlanLease lease,
            ReplicaRevisions replicas, String identity, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.key = key;
        this.lease = lease;
        this.replicas = replicas;
        this.identity = identity;
        this.clock = clock;
    }

    @Override
    public boolean write(long inForce, String content) throws IOException {
        try {
            return writeOver(read(), inForce, content);
        } catch (KubernetesClientException e) {
            return failed(e);
        }
    }

    /**
     * Writes {@code content} over {@code read}, the ConfigMap as it was read, when it holds revision {@code inForce}. A
     * conflict (the ConfigMap changed since) reads it again and decides again from the fresh one.
     */
    boolean writeOver(ConfigMap read, long inForce, String content) throws IOException {
        ConfigMap current = read;
        for (int tried = 0; tried < TRIES; tried++) {
            if (!holds(current, inForce)) {
                return false;
            }
            ConfigMap edited = new ConfigMapBuilder(current).addToData(key, content).build();
            try {
                // update() sends the resourceVersion read: the API server refuses it if the ConfigMap changed since
                client.configMaps().inNamespace(namespace).resource(edited).update();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                LOG.infof("Autopilot: the ConfigMap %s changed since it was read; reading it again before writing", name);
                current = read();
            }
        }
        return false;
    }

    @Override
    public Optional<String> decidedElsewhere() {
        try {
            return lease.heldByAnother();
        } catch (KubernetesClientException e) {
            return Optional.of("the lease could not be read or taken (" + e.getMessage() + ")");
        }
    }

    @Override
    public void serving(long revision) {
        try {
            replicas.publish(revision);
        } catch (KubernetesClientException e) {
            LOG.warnf("Autopilot: could not annotate this replica's pod with plan revision %d (%s); it tries again at the"
                    + " next tick", revision, e.getMessage());
        }
    }

    @Override
    public Optional<String> replicasBehind(long revision) {
        try {
            return replicas.behind(revision);
        } catch (KubernetesClientException e) {
            return Optional.of("the replicas' plan revisions could not be read (" + e.getMessage() + ")");
        }
    }

    @Override
    public Map<String, Long> replicas() {
        return replicas.lastSeen();
    }

    @Override
    public void announce(AutopilotDecision.Notice notice) {
        try {
            ConfigMap plan = read();
            String now = Instant.now(clock).toString();
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(namespace)
                    .withName(name + "." + Long.toHexString(Instant.now(clock).toEpochMilli()) + "." + notice.reason().toLowerCase())
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("ConfigMap").withNamespace(namespace)
                    .withName(name).withUid(plan.getMetadata().getUid())
                    .withResourceVersion(plan.getMetadata().getResourceVersion()).endInvolvedObject()
                    .withReason(notice.reason()).withMessage(notice.message())
                    .withType(notice.warning() ? "Warning" : "Normal")
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT).withReportingInstance(identity)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .build()).create();
        } catch (IOException | KubernetesClientException e) {
            LOG.warnf("Autopilot: could not record the event %s (%s) on the ConfigMap %s: %s", notice.reason(),
                    notice.message(), name, e.getMessage());
        }
    }

    @Override
    public String where() {
        return "the ConfigMap " + namespace + "/" + name + " (key " + key + ")";
    }

    /** Lets the Lease go, so another replica decides without waiting for it to expire. */
    void stop() {
        try {
            lease.release();
        } catch (KubernetesClientException e) {
            LOG.warnf("Autopilot: could not release the lease (%s); another replica takes it once it expires", e.getMessage());
        }
    }

    ConfigMap read() throws IOException {
        ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
        if (current == null) {
            throw new IOException("the ConfigMap " + namespace + "/" + name + " (memgrate.migration.autopilot.configmap)"
                    + " does not exist: create the plan's ConfigMap (deploy/plan) or name the one mounted as the plan file");
        }
        return current;
    }

    private boolean holds(ConfigMap current, long inForce) {
        String plan = current.getData() == null ? null : current.getData().get(key);
        if (plan == null) {
            return false;
        }
        try {
            return PlanFile.parse(plan).revision() == inForce;
        } catch (PlanRefusedException e) {
            return false;
        }
    }

    /** Refused by RBAC: a person must grant it, so the autopilot pauses; anything else may pass, so it tries again. */
    private boolean failed(KubernetesClientException e) throws IOException {
        if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
            throw new IOException("the Kubernetes API refused to write the ConfigMap " + namespace + "/" + name + " ("
                    + e.getMessage() + "): grant the service account get and update on it (deploy/README.md, RBAC)", e);
        }
        LOG.warnf("Autopilot: could not write the plan into %s (%s); it decides again at the next tick", where(),
                e.getMessage());
        return false;
    }
}
