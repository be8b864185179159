package io.memgrate.movement;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.google.code.yanf4j.core.Session;

import io.memgrate.cluster.HostNames;
import io.memgrate.cluster.Node;
import net.rubyeye.xmemcached.HashAlgorithm;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;
import net.rubyeye.xmemcached.networking.MemcachedSession;
import net.rubyeye.xmemcached.utils.InetSocketAddressWrapper;
import net.spy.memcached.ArrayModNodeLocator;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.config.NodeEndPoint;

/**
 * The real clients' own node locators over Memgrate's nodes. Each node is a stand-in connection that answers only
 * what the locator asks (its socket address), made the way the client makes it from a {@code host|ip|port} entry.
 * Nothing connects and nothing is looked up in DNS.
 */
final class RealLocators {

    /** Which node a client sends a key to. */
    interface Locator {
        Node nodeFor(String key);
    }

    private RealLocators() {
    }

    /** The AWS Java cluster client's default: ArrayModNodeLocator with NATIVE_HASH. */
    static Locator awsJavaArrayMod(List<Node> nodes) {
        return spymemcached(nodes, standIns -> new ArrayModNodeLocator(standIns, DefaultHashAlgorithm.NATIVE_HASH));
    }

    /** The AWS Java cluster client with KETAMA_HASH: KetamaNodeLocator and its default node key format. */
    static Locator awsJavaKetama(List<Node> nodes) {
        return spymemcached(nodes, standIns -> new KetamaNodeLocator(standIns, DefaultHashAlgorithm.KETAMA_HASH));
    }

    /**
     * xmemcached's KetamaMemcachedSessionLocator as its AWSElasticCacheClient uses it: sessions connected by host
     * name, whose address string the connector records on connect. A host that is an IP literal is that address, with
     * no name (as {@code new InetSocketAddress(host, port)} makes it); a host name resolves to the listed IP.
     */
    static Locator xmemcachedKetama(List<Node> nodes) {
        return xmemcached(nodes, new KetamaMemcachedSessionLocator(), node -> HostNames.isIpLiteral(node.host())
                ? new InetSocketAddress(node.host(), node.port())
                : new InetSocketAddress(address(node.host(), node.ip()), node.port()));
    }

    /**
     * xmemcached's nginx-compatible ketama, which hashes the IP it connects to as libmemcached hashes the host
     * string it was given: sessions here connect to the node's host name, an IP literal in these tests.
     */
    static Locator xmemcachedNginxKetama(List<Node> nodes) {
        return xmemcached(nodes, new KetamaMemcachedSessionLocator(HashAlgorithm.KETAMA_HASH, true, false),
                node -> new InetSocketAddress(address(null, node.host()), node.port()));
    }

    private static Locator spymemcached(List<Node> nodes, Function<List<MemcachedNode>, NodeLocator> locatorOf) {
        Map<Object, Node> nodeOf = new IdentityHashMap<>();
        List<MemcachedNode> standIns = new ArrayList<>();
        for (Node node : nodes) {
            MemcachedNode standIn = standIn(MemcachedNode.class, node, "getSocketAddress", spymemcachedAddress(node));
            nodeOf.put(standIn, node);
            standIns.add(standIn);
        }
        NodeLocator locator = locatorOf.apply(standIns);
        return key -> nodeOf.get(locator.getPrimary(key));
    }

    /**
     * The address the AWS client connects to: its own NodeEndPoint's, from the listed IP; for an entry without one,
     * the address of a host name that did not resolve.
     */
    private static InetSocketAddress spymemcachedAddress(Node node) {
        return node.ip().isEmpty()
                ? InetSocketAddress.createUnresolved(node.host(), node.port())
                : new NodeEndPoint(node.host(), node.ip(), node.port()).getInetSocketAddress();
    }

    private static Locator xmemcached(List<Node> nodes, KetamaMemcachedSessionLocator locator,
            Function<Node, InetSocketAddress> connectedTo) {
        Map<Object, Node> nodeOf = new IdentityHashMap<>();
        List<Session> sessions = new ArrayList<>();
        for (Node node : nodes) {
            InetSocketAddress address = connectedTo.apply(node);
            // not resolving: the wrapper would otherwise look the address's name up in DNS
            InetSocketAddressWrapper wrapper = new InetSocketAddressWrapper(address, sessions.size(), 1, null, false);
            wrapper.setRemoteAddressStr(String.valueOf(address)); // as MemcachedConnector.addSession records it
            MemcachedSession session = standIn(MemcachedSession.class, node,
                    "getRemoteSocketAddress", address, "getInetSocketAddressWrapper", wrapper,
                    "getWeight", 1, "isClosed", false);
            nodeOf.put(session, node);
            sessions.add(session);
        }
        locator.updateSessions(sessions);
        return key -> nodeOf.get(locator.getSessionByKey(key));
    }

    /** An address with this IP literal, named {@code host} when one is given, as a lookup of that name returns it. */
    private static InetAddress address(String host, String ip) {
        try {
            return InetAddress.getByAddress(host, InetAddress.getByName(ip).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    /** A proxy of {@code type} that answers the named methods with the given values, and only those. */
    private static <T> T standIn(Class<T> type, Node node, Object... answers) {
        Map<String, Object> byMethod = new HashMap<>();
        for (int i = 0; i < answers.length; i += 2) {
            byMethod.put((String) answers[i], answers[i + 1]);
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return node.toString();
                default:
                    if (!byMethod.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName() + " of a stand-in " + type.getSimpleName());
                    }
                    return byMethod.get(method.getName());
            }
        }));
    }
}
