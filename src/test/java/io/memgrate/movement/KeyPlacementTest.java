package io.memgrate.movement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;

/** The node a key goes to, against the real clients' own locators over the same served list. */
class KeyPlacementTest {

    private static final List<Node> NODES = List.of(new Node("old-1.test", "10.0.0.1", 11211),
            new Node("old-2.test", "10.0.0.2", 11211), new Node("new-1.test", "10.0.1.1", 11211),
            new Node("new-2.test", "10.0.1.2", 11212));
    private static final List<String> KEYS = IntStream.range(0, 5_000).mapToObj(i -> "key-" + i).toList();

    @Test
    void keysGoWhereTheAwsJavaClientSendsThem() {
        assertSameNodes(HashScheme.KETAMA_AWS_JAVA, RealLocators.awsJavaKetama(NODES)::nodeFor);
        assertSameNodes(HashScheme.ARRAY_MOD_NATIVE, RealLocators.awsJavaArrayMod(NODES)::nodeFor);
    }

    @Test
    void keysGoWhereXmemcachedSendsThem() {
        assertSameNodes(HashScheme.KETAMA_XMEMCACHED, RealLocators.xmemcachedKetama(NODES)::nodeFor);
    }

    private static void assertSameNodes(HashScheme scheme, Function<String, Node> real) {
        KeyPlacement placement = KeyPlacement.of(scheme, NODES);
        assertThat(KEYS).allSatisfy(key -> assertThat(placement.nodeFor(key)).as("%s under %s", key, scheme)
                .isEqualTo(real.apply(key)));
        assertThat(KEYS.stream().map(placement::nodeFor).distinct()).as("every node gets keys").hasSize(NODES.size());
    }
}
