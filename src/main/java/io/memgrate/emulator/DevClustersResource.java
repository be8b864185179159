package io.memgrate.emulator;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Topology;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * Dev clusters only: shows and changes the emulated clusters' node lists, so an operator can drain a dev node and
 * watch Memgrate's answer change. Answers 404 unless the dev clusters are running (memgrate.dev-clusters.enabled and
 * no endpoint configured), so it changes nothing anywhere else.
 */
@IfBuildProfile(anyOf = { "dev", "test" })
@Path("/memgrate/dev/clusters")
@Produces(MediaType.APPLICATION_JSON)
public class DevClustersResource {

    public record ClusterView(String cluster, long version, List<String> nodes) {
    }

    private final DevClusters devClusters;

    @Inject
    public DevClustersResource(DevClusters devClusters) {
        this.devClusters = devClusters;
    }

    @GET
    public List<ClusterView> clusters() {
        requireRunning();
        return Arrays.stream(DevClusters.Cluster.values()).map(cluster -> view(cluster, devClusters.config(cluster))).toList();
    }

    @GET
    @Path("{cluster}")
    public ClusterView cluster(@PathParam("cluster") String name) {
        DevClusters.Cluster cluster = named(name);
        return view(cluster, devClusters.config(cluster));
    }

    /** Replaces the node list with the body: {@code host|ip|port} entries separated by spaces. */
    @PUT
    @Path("{cluster}/nodes")
    @Consumes(MediaType.TEXT_PLAIN)
    public ClusterView setNodes(@PathParam("cluster") String name, String nodes) {
        DevClusters.Cluster cluster = named(name);
        try {
            return view(cluster, devClusters.setNodes(cluster, DevClusters.parseNodes(nodes)));
        } catch (RuntimeException e) {
            throw failure(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    /** Removes one node (by host name) from the node list, as draining it would. */
    @DELETE
    @Path("{cluster}/nodes/{host}")
    public ClusterView drain(@PathParam("cluster") String name, @PathParam("host") String host) {
        DevClusters.Cluster cluster = named(name);
        try {
            return view(cluster, devClusters.removeNode(cluster, host));
        } catch (NoSuchElementException e) {
            throw failure(Response.Status.NOT_FOUND, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw failure(Response.Status.CONFLICT, e.getMessage());
        }
    }

    private DevClusters.Cluster named(String name) {
        requireRunning();
        try {
            return DevClusters.Cluster.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw failure(Response.Status.NOT_FOUND, "no dev cluster " + name + "; they are old and new");
        }
    }

    private void requireRunning() {
        if (!devClusters.running()) {
            throw failure(Response.Status.NOT_FOUND, "the dev clusters are not running: they run only with"
                    + " memgrate.dev-clusters.enabled=true and no primary or secondary configured");
        }
    }

    private static ClusterView view(DevClusters.Cluster cluster, Topology config) {
        return new ClusterView(cluster.label(), config.version(), config.nodes().stream().map(Node::toString).toList());
    }

    private static WebApplicationException failure(Response.Status status, String message) {
        return new WebApplicationException(Response.status(status).type(MediaType.TEXT_PLAIN).entity(message + "\n").build());
    }
}
