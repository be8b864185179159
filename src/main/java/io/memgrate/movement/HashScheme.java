package io.memgrate.movement;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A way real clients map keys onto the node list a configuration endpoint serves. Memgrate serves each node as
 * {@code host|ip|port}; the schemes differ in which of these they hash, so each says what string stands for a node.
 * The ketama schemes place 160 points a node on a 2^32 ring, four from each of 40 digests of {@code "<node>-<i>"},
 * and a key belongs to the first point at or after its own hash. For an entry listed without an IP the Java clients
 * hash {@code "host/ip:port"} with the IP their DNS gives, which is not known here: such an entry counts as
 * {@code "host/<unresolved>:port"}, what they hash when the name does not resolve, and an estimate as good on average
 * when it does.
 */
public enum HashScheme {

    /**
     * A key goes to the node at (Java {@code String.hashCode} as an unsigned 32-bit number) mod n in the served order,
     * so only positions count, not names. Clients: the AWS Java cluster client by default (ArrayModNodeLocator,
     * NATIVE_HASH).
     */
    ARRAY_MOD_NATIVE("array-mod-native"),

    /**
     * SHA-384 digests (1.2.x of the AWS client replaced spymemcached's MD5 here) of {@code "ip:port-i"}: the client
     * connects to the listed IP, and a socket address made from an IP alone prints as {@code /ip:port}, whose slash
     * the client drops. An entry without an IP is connected by host name and hashed as {@code "host/ip:port"}.
     * Clients: the AWS Java cluster client with KETAMA_HASH (KetamaNodeLocator).
     */
    KETAMA_AWS_JAVA("ketama-aws-java"),

    /**
     * MD5 digests of {@code "host/ip:port-i"}: xmemcached's AWS client connects by host name, and the ring hashes the
     * connected socket address as it prints: {@code "/ip:port-i"} when the host is an IP literal, which gives the
     * address no host name. Spymemcached 2.x does the same for nodes given by host name. Clients: xmemcached's
     * AWSElasticCacheClient with KetamaMemcachedSessionLocator; spymemcached 2.x with KETAMA_HASH.
     */
    KETAMA_XMEMCACHED("ketama-xmemcached"),

    /**
     * MD5 digests of {@code "host-i"}, or {@code "host:port-i"} off the default port 11211: libmemcached's
     * libketama-compatible ketama (MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED), with the host name the AWS client for PHP
     * keeps from the served list. xmemcached's nginx-compatible ketama ({@code cwNginxUpstreamConsistent}) builds the
     * same ring from the IP it connects to, so it matches this scheme for nodes named by their IP. Clients:
     * libmemcached with libketama compatibility: the AWS PHP client and PHP memcached (OPT_LIBKETAMA_COMPATIBLE),
     * pylibmc ({@code ketama_weighted}).
     */
    KETAMA_LIBMEMCACHED("ketama-libmemcached");

    private final String label;

    HashScheme(String label) {
        this.label = label;
    }

    /** A short lower-case name for metrics and JSON. */
    public String label() {
        return label;
    }

    /** The scheme named {@code label}, as {@link #label()} gives it. */
    public static Optional<HashScheme> byLabel(String label) {
        return Arrays.stream(values()).filter(scheme -> scheme.label.equals(label)).findFirst();
    }

    /** Every scheme's label, in declaration order. */
    public static List<String> labels() {
        return Arrays.stream(values()).map(HashScheme::label).toList();
    }
}
