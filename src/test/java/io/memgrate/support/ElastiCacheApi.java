package io.memgrate.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * An emulated ElastiCache Query API over real HTTP: answers {@code DescribeCacheClusters} with XML shaped like AWS's,
 * so the real AWS SDK can be pointed at it with {@code memgrate.aws.endpoint-override}.
 */
public final class ElastiCacheApi implements AutoCloseable {

    private static final String NS = "http://elasticache.amazonaws.com/doc/2015-02-02/";

    private final WireMockServer server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());

    public ElastiCacheApi() {
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** A memcached cluster in status {@code status} whose configuration endpoint is {@code host:port}. */
    public void memcachedCluster(String clusterId, String status, String host, int port) {
        answer(clusterId, 200, describe(clusterId, "memcached", status,
                "<ConfigurationEndpoint><Address>" + host + "</Address><Port>" + port + "</Port></ConfigurationEndpoint>"));
    }

    public void redisCluster(String clusterId) {
        answer(clusterId, 200, describe(clusterId, "redis", "available", ""));
    }

    public void notFound(String clusterId) {
        answer(clusterId, 404, error("Sender", "CacheClusterNotFound", "CacheCluster not found: " + clusterId));
    }

    public void throttling(String clusterId) {
        answer(clusterId, 400, error("Sender", "Throttling", "Rate exceeded"));
    }

    public void serverError(String clusterId) {
        answer(clusterId, 500, error("Receiver", "InternalFailure", "We encountered an internal error. Please try again."));
    }

    public void accessDenied(String clusterId) {
        answer(clusterId, 403, error("Sender", "AccessDenied", "User: arn:aws:sts::111122223333:assumed-role/memgrate/x is not"
                + " authorized to perform: elasticache:DescribeCacheClusters on resource: arn:aws:elasticache:us-east-1:111122223333:cluster:"
                + clusterId + " because no identity-based policy allows the elasticache:DescribeCacheClusters action"));
    }

    /** How many {@code DescribeCacheClusters} requests named {@code clusterId}. */
    public int requests(String clusterId) {
        return server.countRequestsMatching(postRequestedFor(urlPathEqualTo("/"))
                .withRequestBody(containing("CacheClusterId=" + clusterId)).build()).getCount();
    }

    private void answer(String clusterId, int status, String body) {
        server.stubFor(post(urlPathEqualTo("/"))
                .withRequestBody(containing("Action=DescribeCacheClusters"))
                .withRequestBody(containing("CacheClusterId=" + clusterId))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(body)));
    }

    private static String describe(String clusterId, String engine, String status, String endpoint) {
        return "<DescribeCacheClustersResponse xmlns=\"" + NS + "\">"
                + "<DescribeCacheClustersResult><CacheClusters><CacheCluster>"
                + "<CacheClusterId>" + clusterId + "</CacheClusterId>"
                + endpoint
                + "<ClientDownloadLandingPage>https://console.aws.amazon.com/elasticache/home#client-download:</ClientDownloadLandingPage>"
                + "<CacheNodeType>cache.t3.micro</CacheNodeType>"
                + "<Engine>" + engine + "</Engine>"
                + "<CacheClusterStatus>" + status + "</CacheClusterStatus>"
                + "<NumCacheNodes>2</NumCacheNodes>"
                + "<PreferredAvailabilityZone>Multiple</PreferredAvailabilityZone>"
                + "<CacheClusterCreateTime>2026-01-15T10:00:00.000Z</CacheClusterCreateTime>"
                + "<EngineVersion>" + (engine.equals("redis") ? "7.1.0" : "1.6.22") + "</EngineVersion>"
                + "<AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>"
                + "<TransitEncryptionEnabled>false</TransitEncryptionEnabled>"
                + "</CacheCluster></CacheClusters></DescribeCacheClustersResult>"
                + "<ResponseMetadata><RequestId>5f1b3c0e-7d0c-4b7e-9d1e-2c6d3c1a9f10</RequestId></ResponseMetadata>"
                + "</DescribeCacheClustersResponse>";
    }

    private static String error(String type, String code, String message) {
        return "<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>" + type + "</Type><Code>" + code + "</Code>"
                + "<Message>" + message + "</Message></Error>"
                + "<RequestId>0c2e8d1f-3a4b-4c5d-8e9f-a0b1c2d3e4f5</RequestId></ErrorResponse>";
    }

    @Override
    public void close() {
        server.stop();
    }
}
