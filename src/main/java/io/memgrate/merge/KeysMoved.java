package io.memgrate.merge;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.memgrate.cluster.Node;
import io.memgrate.movement.HashScheme;
import io.memgrate.movement.KeyMovement;

/** The share of keys (0 to 1) a change of the served node list moves to another node, for each hashing scheme. */
public record KeysMoved(Map<HashScheme, Double> fractions) {

    public KeysMoved {
        fractions = Collections.unmodifiableMap(new EnumMap<>(fractions));
    }

    static KeysMoved between(List<Node> before, List<Node> after) {
        return to(KeyMovement.from(before, after), after);
    }

    /** What the change from the movement's list before to {@code after} moves, for every scheme. */
    static KeysMoved to(KeyMovement movement, List<Node> after) {
        Map<HashScheme, Double> fractions = new EnumMap<>(HashScheme.class);
        for (HashScheme scheme : HashScheme.values()) {
            fractions.put(scheme, movement.fractionTo(scheme, after));
        }
        return new KeysMoved(fractions);
    }

    /** For a log line: {@code array-mod-native 80.0%, ketama-aws-java 16.8%, ...}. */
    public String summary() {
        return fractions.entrySet().stream()
                .map(entry -> String.format(Locale.ROOT, "%s %.1f%%", entry.getKey().label(), entry.getValue() * 100))
                .collect(Collectors.joining(", "));
    }
}
