package io.memgrate.upstream;

import java.util.Map;

import io.memgrate.cluster.HostAndPort;
import io.memgrate.cluster.Side;

/**
 * Clusters to poll when neither side has an endpoint or a cluster ID: the dev playground's emulated clusters. Its one
 * implementation is a bean of dev mode and tests only, so a production build has none and never loads the playground.
 */
public interface StandInClusters {

    /** Whether they are switched on ({@code memgrate.dev-clusters.enabled}). */
    boolean enabled();

    /** Starts them and gives each side's configuration endpoint. Blocks: call at start-up only. */
    Map<Side, HostAndPort> start();
}
