package io.memgrate.autopilot;

import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * One replica decides at a time: the one named holder of a {@code coordination.k8s.io/v1} Lease. Each call takes the
 * Lease when it is free or expired, renews it when this replica holds it, and says who holds it otherwise. Every change
 * is a compare-and-swap on the Lease's {@code resourceVersion}, so two replicas never both take it.
 */
final class PlanLease {

    /** Renewed when a third of its duration has passed, so a renewal that fails once still leaves time for another. */
    private static final int RENEWALS_PER_DURATION = 3;
    private static final int TRIES = 3;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration duration;
    private final Clock clock;

    PlanLease(KubernetesClient client, String namespace, String name, String identity, Duration duration, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.duration = duration;
        this.clock = clock;
    }

    /** Empty when this replica holds the Lease now (taken or renewed); else why another replica decides. */
    Optional<String> heldByAnother() {
        for (int tried = 0; tried < TRIES; tried++) {
            ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
            Lease lease = leases().withName(name).get();
            try {
                if (lease == null) {
                    leases().resource(new LeaseBuilder().withNewMetadata()
                            .withName(name).withNamespace(namespace).endMetadata().withSpec(heldFrom(now, 0)).build())
                            .create();
                    return Optional.empty();
                }
                LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
                String holder = spec.getHolderIdentity();
                if (identity.equals(holder)) {
                    if (spec.getRenewTime() == null || spec.getRenewTime().plus(duration.dividedBy(RENEWALS_PER_DURATION))
                            .isBefore(now)) {
                        spec.setRenewTime(now);
                        spec.setLeaseDurationSeconds((int) duration.toSeconds());
                        leases().resource(lease).update();
                    }
                    return Optional.empty();
                }
                if (holder != null && !expired(spec, now)) {
                    return Optional.of("another replica (" + holder + ") holds the lease " + name);
                }
                int transitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
                lease.setSpec(heldFrom(now, transitions + 1));
                leases().resource(lease).update();
                return Optional.empty();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                // another replica changed the Lease between the read and the write: read it again
            }
        }
        return Optional.of("the lease " + name + " changed at each of " + TRIES + " tries to take it");
    }

    /** Lets the Lease go when this replica holds it, so another takes it without waiting for it to expire. */
    void release() {
        Lease lease = leases().withName(name).get();
        if (lease != null && lease.getSpec() != null && identity.equals(lease.getSpec().getHolderIdentity())) {
            lease.getSpec().setHolderIdentity(null);
            leases().resource(lease).update();
        }
    }

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
        return client.resources(Lease.class, LeaseList.class).inNamespace(namespace);
    }

    private LeaseSpec heldFrom(ZonedDateTime now, int transitions) {
        LeaseSpec spec = new LeaseSpec();
        spec.setHolderIdentity(identity);
        spec.setLeaseDurationSeconds((int) duration.toSeconds());
        spec.setAcquireTime(now);
        spec.setRenewTime(now);
        spec.setLeaseTransitions(transitions);
        return spec;
    }

    private static boolean expired(LeaseSpec spec, ZonedDateTime now) {
        ZonedDateTime renewed = spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
        int seconds = spec.getLeaseDurationSeconds() == null ? 0 : spec.getLeaseDurationSeconds();
        return renewed == null || renewed.plusSeconds(seconds).isBefore(now);
    }
}
