package io.memgrate.movement;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.HostNames;
import io.memgrate.cluster.Node;

/**
 * How many keys a change of the served node list moves to another node, and so misses once, for each way clients
 * hash. Computed exactly from the hash space, with keys' hashes taken as uniform over it, not by sampling keys.
 * A key stays where it was when the node that serves it has the same host and port before and after.
 * <p>
 * One instance holds a list before and every node a list after may hold, each node's ketama points digested once per
 * scheme, so the movement to many lists after (every next step) costs a walk over the points that change each
 * ({@link KetamaMovement}). Not thread-safe.
 */
public final class KeyMovement {

    /** libmemcached leaves this port out of the name it hashes for a node. */
    private static final int DEFAULT_PORT = 11211;

    private final List<Node> before;
    /** Every node before or after, each distinct node one slot. */
    private final List<Node> nodes;
    private final Map<Node, Integer> slots;
    /** Each slot's node identity (host and port): two slots with one identity serve a key alike. */
    private final int[] identity;
    private final int[] beforePositions;
    /** Before's positions of each identity, as {@code first[identity]} and {@code next[position]}, -1 ending them. */
    private final int[] firstBeforePosition;
    private final int[] nextBeforePosition;
    private final Map<HashScheme, KetamaMovement> rings = new EnumMap<>(HashScheme.class);

    private KeyMovement(List<Node> before, Collection<Node> others) {
        if (before.isEmpty()) {
            throw new IllegalArgumentException("key movement needs nodes before and after");
        }
        this.before = List.copyOf(before);
        Map<Node, Integer> slotOf = new LinkedHashMap<>();
        before.forEach(node -> slotOf.putIfAbsent(node, slotOf.size()));
        others.forEach(node -> slotOf.putIfAbsent(node, slotOf.size()));
        this.slots = slotOf;
        this.nodes = List.copyOf(slotOf.keySet());
        Map<HostAndPort, Integer> identities = new HashMap<>();
        this.identity = nodes.stream().mapToInt(node -> identities.computeIfAbsent(node.hostAndPort(), id -> identities.size()))
                .toArray();
        this.beforePositions = positions(this.before);
        this.firstBeforePosition = new int[identities.size()];
        this.nextBeforePosition = new int[this.before.size()];
        Arrays.fill(firstBeforePosition, -1);
        for (int i = this.before.size() - 1; i >= 0; i--) {
            int id = identity[slots.get(this.before.get(i))];
            nextBeforePosition[i] = firstBeforePosition[id];
            firstBeforePosition[id] = i;
        }
    }

    /**
     * The movement from {@code before}, both in served order, to lists made of its nodes and {@code others}.
     *
     * @throws IllegalArgumentException when {@code before} is empty: a client then serves no key at all
     */
    public static KeyMovement from(List<Node> before, Collection<Node> others) {
        return new KeyMovement(before, others);
    }

    /**
     * The fraction of keys, 0 to 1, that a client hashing by {@code scheme} sends to another node once its node list
     * changes from {@code before} to {@code after}, both in served order.
     *
     * @throws IllegalArgumentException when either list is empty: a client then serves no key at all
     */
    public static double fraction(HashScheme scheme, List<Node> before, List<Node> after) {
        return from(before, after).fractionTo(scheme, after);
    }

    /**
     * The fraction of keys, 0 to 1, that a client hashing by {@code scheme} sends to another node once its node list
     * changes from the list before to {@code after}.
     *
     * @throws IllegalArgumentException when {@code after} is empty or holds a node this movement was not given
     */
    public double fractionTo(HashScheme scheme, List<Node> after) {
        if (after.isEmpty()) {
            throw new IllegalArgumentException("key movement needs nodes before and after");
        }
        if (scheme == HashScheme.ARRAY_MOD_NATIVE) {
            return arrayModMoved(after);
        }
        return rings.computeIfAbsent(scheme, this::ketama).movedShareTo(positions(after));
    }

    private KetamaMovement ketama(HashScheme scheme) {
        KetamaPoints points = KetamaPoints.of(nodes.stream().map(node -> nodeKey(scheme, node)).toList(),
                digestAlgorithm(scheme));
        return new KetamaMovement(points, beforePositions, identity);
    }

    /** Each slot's position in {@code list}, -1 when not in it; a node listed twice, its later position. */
    private int[] positions(List<Node> list) {
        int[] positions = new int[nodes.size()];
        Arrays.fill(positions, -1);
        for (int i = 0; i < list.size(); i++) {
            Integer slot = slots.get(list.get(i));
            if (slot == null) {
                throw new IllegalArgumentException(list.get(i) + " is neither before nor among the nodes given");
            }
            positions[slot] = i;
        }
        return positions;
    }

    /**
     * Array-mod sends a hash h to index h mod n before and h mod m after. Over the residues of h mod lcm(n, m), by the
     * Chinese remainder theorem, index i before and j after meet in exactly one residue when i and j agree mod
     * gcd(n, m), and never otherwise; a key stays when those two indexes hold the same node. Only pairs of the same
     * node are looked at.
     */
    private double arrayModMoved(List<Node> after) {
        int n = before.size();
        int m = after.size();
        long gcd = gcd(n, m);
        long lcm = (long) n / gcd * m;
        long staying = 0;
        for (int j = 0; j < m; j++) {
            Integer slot = slots.get(after.get(j));
            if (slot == null) {
                throw new IllegalArgumentException(after.get(j) + " is neither before nor among the nodes given");
            }
            for (int i = firstBeforePosition[identity[slot]]; i >= 0; i = nextBeforePosition[i]) {
                if ((i - j) % gcd == 0) {
                    staying++;
                }
            }
        }
        return 1 - (double) staying / lcm;
    }

    /** The string a client hashing by a ketama {@code scheme} hashes for {@code node}. */
    static String nodeKey(HashScheme scheme, Node node) {
        return switch (scheme) {
            case KETAMA_AWS_JAVA -> awsJavaKey(node);
            case KETAMA_XMEMCACHED -> xmemcachedKey(node);
            case KETAMA_LIBMEMCACHED -> libmemcachedKey(node);
            case ARRAY_MOD_NATIVE -> throw new IllegalArgumentException("array-mod hashes positions, not nodes");
        };
    }

    /** The digest a ketama {@code scheme} places its points with. */
    static String digestAlgorithm(HashScheme scheme) {
        return scheme == HashScheme.KETAMA_AWS_JAVA ? "SHA-384" : "MD5";
    }

    /** {@code ip:port}, the listed IP as the AWS Java client connects to it; by host name when none is listed. */
    private static String awsJavaKey(Node node) {
        return node.ip().isEmpty() ? socketAddressKey(node) : node.ip() + ':' + node.port();
    }

    /**
     * The socket address xmemcached dials, the listed host's, as Java prints it: {@code /ip:port} when the host is an
     * IP literal (an address made from a literal has no host name), else {@code host/ip:port}.
     */
    private static String xmemcachedKey(Node node) {
        return HostNames.isIpLiteral(node.host()) ? "/" + node.host() + ':' + node.port() : socketAddressKey(node);
    }

    /** {@code host/ip:port}, as Java prints a socket address made from a host name; with no IP, as an unresolved one. */
    private static String socketAddressKey(Node node) {
        return node.host() + '/' + (node.ip().isEmpty() ? "<unresolved>" : node.ip()) + ':' + node.port();
    }

    /** {@code host}, or {@code host:port} off the default port. */
    private static String libmemcachedKey(Node node) {
        return node.port() == DEFAULT_PORT ? node.host() : node.host() + ':' + node.port();
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
