package io.memgrate.movement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;

/**
 * {@link KeyMovement} against {@link ReferenceKeyMovement}, the straightforward rings it replaced, on random node
 * lists: both count the same stretches of the ring (or residues) exactly, so they must agree to the last bit, well
 * within the 1e-4 the status rounds to.
 */
class KeyMovementReferenceTest {

    private static final int TOPOLOGIES = 120;
    private static final int[] OTHER_PORTS = {11212, 6379, 21211};

    @Test
    void everySchemeAgreesWithTheReferenceOnRandomTopologiesAndChanges() {
        Random random = new Random(19);
        SoftAssertions softly = new SoftAssertions();
        int compared = 0;
        for (int t = 0; t < TOPOLOGIES; t++) {
            List<Node> pool = pool(random, 1 + random.nextInt(t % 10 == 0 ? 120 : 24));
            List<Node> before = sample(random, pool, 1 + random.nextInt(pool.size()));
            List<List<Node>> afters = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                afters.add(changed(random, before, pool));
            }
            KeyMovement movement = KeyMovement.from(before, pool);
            for (List<Node> after : afters) {
                for (HashScheme scheme : HashScheme.values()) {
                    softly.assertThat(movement.fractionTo(scheme, after))
                            .as("%s from %s to %s", scheme, before, after)
                            .isEqualTo(ReferenceKeyMovement.fraction(scheme, before, after));
                    compared++;
                }
            }
        }
        softly.assertAll();
        assertThat(compared).isEqualTo(TOPOLOGIES * 6 * HashScheme.values().length);
    }

    /**
     * Points two nodes share: the same {@code ip:port} under two host names (one ring point set for ketama-aws-java),
     * where the node later in the list keeps every point, whichever order the lists put them in.
     */
    @Test
    void aPointTwoNodesShareStaysWithTheLaterNode() {
        Node first = new Node("alias-a.example", "10.0.0.1", 11211);
        Node second = new Node("alias-b.example", "10.0.0.1", 11211);
        Node other = new Node("c.example", "10.0.0.3", 11211);
        List<List<Node>> lists = List.of(List.of(first, second, other), List.of(second, first, other),
                List.of(other, first), List.of(second, other), List.of(first, other, second), List.of(other));
        for (List<Node> before : lists) {
            for (List<Node> after : lists) {
                assertThat(KeyMovement.fraction(HashScheme.KETAMA_AWS_JAVA, before, after)).as("%s to %s", before, after)
                        .isEqualTo(ReferenceKeyMovement.fraction(HashScheme.KETAMA_AWS_JAVA, before, after));
            }
        }
        assertThat(KeyMovement.fraction(HashScheme.KETAMA_AWS_JAVA, List.of(first, second), List.of(second, first)))
                .as("the shared points change hands with the order").isGreaterThan(0.3);
    }

    @Test
    void aNodeNotGivenIsRefused() {
        Node node = new Node("a.example", "10.0.0.1", 11211);
        KeyMovement movement = KeyMovement.from(List.of(node), List.of());
        assertThatThrownBy(() -> movement.fractionTo(HashScheme.KETAMA_XMEMCACHED, List.of(new Node("b.example", "", 11211))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("b.example||11211");
        assertThatThrownBy(() -> movement.fractionTo(HashScheme.ARRAY_MOD_NATIVE, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Nodes as clusters list them: with and without IPs, on 11211 and other ports, some hosts twice on other ports, some
     * nodes again with another IP (replaced), some IPs under two host names.
     */
    private static List<Node> pool(Random random, int size) {
        List<Node> pool = new ArrayList<>();
        boolean withIps = random.nextInt(3) > 0;
        for (int i = 0; i < size; i++) {
            int kind = random.nextInt(10);
            if (kind == 0 && !pool.isEmpty()) {
                Node host = pool.get(random.nextInt(pool.size()));
                pool.add(new Node(host.host(), host.ip(), OTHER_PORTS[random.nextInt(OTHER_PORTS.length)]));
            } else if (kind == 1 && !pool.isEmpty()) {
                Node replaced = pool.get(random.nextInt(pool.size()));
                pool.add(new Node(replaced.host(), "10.9." + random.nextInt(256) + "." + i, replaced.port()));
            } else if (kind == 2 && !pool.isEmpty()) {
                Node aliased = pool.get(random.nextInt(pool.size()));
                pool.add(new Node("alias-" + i + ".example", aliased.ip(), aliased.port()));
            } else {
                int port = random.nextInt(4) == 0 ? OTHER_PORTS[random.nextInt(OTHER_PORTS.length)] : 11211;
                String host = random.nextBoolean() ? "node-" + i + ".x1y2z3.0001.use1.cache.amazonaws.com" : "10.1.0." + i;
                pool.add(new Node(host, withIps ? "10.0." + (i / 250) + "." + (i % 250) : "", port));
            }
        }
        return pool;
    }

    private static List<Node> sample(Random random, List<Node> pool, int size) {
        List<Node> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, random);
        return new ArrayList<>(shuffled.subList(0, size));
    }

    /** A migration's changes: add, remove, reorder, replace the list, or none. */
    private static List<Node> changed(Random random, List<Node> before, List<Node> pool) {
        List<Node> after = new ArrayList<>(before);
        switch (random.nextInt(5)) {
            case 0 -> after.add(random.nextInt(after.size() + 1), pool.get(random.nextInt(pool.size())));
            case 1 -> {
                if (after.size() > 1) {
                    after.remove(random.nextInt(after.size()));
                }
            }
            case 2 -> Collections.shuffle(after, random);
            case 3 -> after = sample(random, pool, 1 + random.nextInt(pool.size()));
            default -> {
            }
        }
        return after;
    }
}
