package io.memgrate.plan;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.memgrate.cluster.HostNames;
import io.memgrate.cluster.Topology;

/**
 * The plan file's format, read strictly: a mistake refuses the whole file, never part of it.
 *
 * <pre>
 * revision: 4                 # an integer that every change of the plan raises
 * admit: [new-1.example]      # secondary hosts served; "all" admits every one; absent = none
 * withdraw: [old-3.example]   # primary hosts not served; absent = none
 * </pre>
 */
public final class PlanFile {

    /** A key given twice is refused, not read as its last value: the reader is strict. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** How Jackson's strict duplicate detection names the key. */
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '(.*)'");
    private static final Set<String> KEYS = Set.of("revision", "admit", "withdraw");

    private PlanFile() {
    }

    /** Parses a plan; throws {@link PlanRefusedException} saying what is wrong and how to write it. */
    public static MigrationPlan parse(String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            Matcher duplicate = DUPLICATE_KEY.matcher(e.getOriginalMessage());
            if (e instanceof StreamReadException && duplicate.matches()) {
                throw new PlanRefusedException("duplicate-key", "the key '" + duplicate.group(1) + "' is given twice: give"
                        + " each key once");
            }
            throw new PlanRefusedException("unparseable", "not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new PlanRefusedException("format", "the plan must be a map with revision, admit and withdraw");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext();) {
            String key = fields.next().getKey();
            if (!KEYS.contains(key)) {
                throw new PlanRefusedException("unknown-key", "unknown key '" + key + "': a plan has only revision, admit"
                        + " and withdraw");
            }
        }
        long revision = revision(root.get("revision"));
        JsonNode admit = root.get("admit");
        boolean admitAll = admit != null && admit.isTextual() && admit.asText().equals("all");
        return new MigrationPlan(revision, admitAll, admitAll ? Set.of() : hosts("admit", admit),
                hosts("withdraw", root.get("withdraw")));
    }

    private static long revision(JsonNode value) {
        if (value == null) {
            throw new PlanRefusedException("format", "revision is required: an integer that every change of the plan raises");
        }
        if (!value.isIntegralNumber() || value.asLong() < 0 || !value.canConvertToLong() || value.asLong() > Topology.MAX_VERSION) {
            throw new PlanRefusedException("format", "revision '" + value.asText() + "' is not an integer in 0-"
                    + Topology.MAX_VERSION);
        }
        return value.asLong();
    }

    /** A list of host names; absent or null means none. */
    private static Set<String> hosts(String key, JsonNode value) {
        if (value == null || value.isNull()) {
            return Set.of();
        }
        if (!value.isArray()) {
            throw new PlanRefusedException("format", key + " must be a list of host names" + (key.equals("admit")
                    ? " or \"all\"" : "") + ", as config get cluster lists them");
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (JsonNode host : value) {
            String name = host.asText().trim();
            Optional<String> problem = host.isTextual() ? HostNames.problem(name) : Optional.of("it is not text");
            if (problem.isPresent()) {
                throw new PlanRefusedException("format", key + " lists '" + host.asText() + "', which is not a host name: "
                        + problem.get() + " (write the host alone, as the first field of host|ip|port)");
            }
            hosts.add(name);
        }
        return hosts;
    }
}
