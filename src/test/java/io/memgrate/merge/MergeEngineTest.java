package io.memgrate.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.cluster.Node;
import io.memgrate.cluster.Side;
import io.memgrate.cluster.Topology;
import io.memgrate.support.LogLines;
import io.netty.buffer.ByteBuf;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

class MergeEngineTest {

    private static final long OFFSET = 1000;
    private static final Node P1 = new Node("p1.example", "10.0.0.1", 11211);
    private static final Node P2 = new Node("p2.example", "10.0.0.2", 11211);
    private static final Node S1 = new Node("s1.example", "10.1.0.1", 11211);
    /** Nodes of a primary cluster replaced under the same endpoint. */
    private static final Node R1 = new Node("r1.example", "10.0.9.1", 11211);
    private static final Node R2 = new Node("r2.example", "10.0.9.2", 11211);

    private LogLines logs;
    private MergeEngine view;

    @BeforeEach
    void setUp() {
        view = view(OFFSET);
        logs = LogLines.of(MergeEngine.class.getName());
    }

    @AfterEach
    void removeLogHandler() {
        logs.close();
    }

    private static MergeEngine view(long offset) {
        MergeEngine view = new MergeEngine(offset, Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC), Runnable::run, Runnable::run);
        view.expect(Side.PRIMARY, "primary.cfg:11211");
        view.expect(Side.SECONDARY, "secondary.cfg:11211");
        return view;
    }

    private static Topology config(long version, Node... nodes) {
        return new Topology(version, List.of(nodes));
    }

    private ServedTopology served() {
        return view.served().orElseThrow();
    }

    @Test
    void nothingIsServedBeforeAnyAnswer() {
        assertThat(view.served()).isEmpty();
        assertThat(view.waitingFor()).containsExactly("primary", "secondary");
    }

    @Test
    void nothingIsServedUntilBothSidesAnswered() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");

        assertThat(view.served()).isEmpty();
        assertThat(view.waitingFor()).containsExactly("secondary");

        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        assertThat(view.waitingFor()).isEmpty();
        assertThat(served().topology()).isEqualTo(config(5 + 3 + OFFSET, P1, S1));
    }

    @Test
    void waitingForListsPrimaryWhenOnlySecondaryAnswered() {
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        assertThat(view.served()).isEmpty();
        assertThat(view.waitingFor()).containsExactly("primary");
    }

    @Test
    void servedRepliesMatchTheMergedConfig() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        String payload = "1008\np1.example|10.0.0.1|11211 s1.example|10.1.0.1|11211\n";
        assertThat(written(served()::writeConfigReply)).isEqualTo("CONFIG cluster 0 57\r\n" + payload + "\r\nEND\r\n");
        assertThat(written(served()::writeLegacyReply))
                .isEqualTo("VALUE AmazonElastiCache:cluster 0 57\r\n" + payload + "\r\nEND\r\n");
    }

    /** The bytes a write puts on a client's stream. */
    private static String written(Consumer<WriteStream<Buffer>> write) {
        StringBuilder bytes = new StringBuilder();
        write.accept(new WriteStream<>() {
            @Override
            public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
                return this;
            }

            @Override
            public Future<Void> write(Buffer data) {
                ByteBuf wire = data.getByteBuf();
                bytes.append(wire.readCharSequence(wire.readableBytes(), StandardCharsets.US_ASCII));
                return Future.succeededFuture();
            }

            @Override
            public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
                write(data);
            }

            @Override
            public void end(Handler<AsyncResult<Void>> handler) {
            }

            @Override
            public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
                return this;
            }

            @Override
            public boolean writeQueueFull() {
                return false;
            }

            @Override
            public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
                return this;
            }
        });
        return bytes.toString();
    }

    @Test
    void failureKeepsTheLastKnownGoodConfiguration() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedTopology before = served();

        view.failed(Side.SECONDARY, "connection refused");
        view.failed(Side.PRIMARY, "timeout");

        assertThat(served()).isSameAs(before);
        assertThat(served().topology()).isEqualTo(config(1008, P1, S1));
        assertThat(view.snapshot().upstreams())
                .extracting(UpstreamState::lastError)
                .containsExactly("timeout", "connection refused");
    }

    @Test
    void failureBeforeTheFirstAnswerStillServesNothing() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.failed(Side.SECONDARY, "connection refused");

        assertThat(view.served()).isEmpty();
        assertThat(view.waitingFor()).containsExactly("secondary");
    }

    @Test
    void nodeChangeWithHigherUpstreamVersionRaisesServedVersionByTheDifference() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        long before = served().topology().version();

        view.answered(Side.PRIMARY, config(8, P1, P2), "1.6.22");

        assertThat(served().topology().version()).isEqualTo(before + 3);
        assertThat(served().topology().nodes()).containsExactly(P1, P2, S1);
    }

    @Test
    void engineVersionPrefersThePrimary() {
        assertThat(view.engineVersion()).isEmpty();

        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        assertThat(view.engineVersion()).contains("1.6.6");

        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        assertThat(view.engineVersion()).contains("1.6.22");

        view.answered(Side.SECONDARY, config(4, S1), "1.6.12");
        assertThat(view.engineVersion()).contains("1.6.22");
    }

    @Test
    void versionGoingDownIsCounted() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        assertThat(versionDecreases()).isZero();

        view.answered(Side.SECONDARY, config(2, S1), "1.6.6");
        assertThat(versionDecreases()).isEqualTo(1);

        view.answered(Side.SECONDARY, config(2, S1), "1.6.6");
        assertThat(versionDecreases()).as("an unchanged version is not a decrease").isEqualTo(1);

        view.answered(Side.PRIMARY, config(1, P1), "1.6.22");
        assertThat(versionDecreases()).isEqualTo(2);
    }

    @Test
    void identicalAnswersKeepTheSameServedInstance() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedTopology first = served();

        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        assertThat(served()).isSameAs(first);
    }

    @Test
    void aServedVersionIsNeverServedAgainForADifferentNodeList() {
        view = view(0);
        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedTopology ten = served();
        assertThat(ten.topology()).isEqualTo(config(10, P1, P2, S1));

        // the primary replaced under the same endpoint: merged 8, then 9, then 10 with the replacement's nodes
        for (long primaryVersion : new long[] {5, 6, 7}) {
            view.answered(Side.PRIMARY, config(primaryVersion, R1), "1.6.22");
            view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

            assertThat(served()).as("merged version %d", primaryVersion + 3).isSameAs(ten);
            assertThat(held()).map(HeldMerge::merged).contains(config(primaryVersion + 3, R1, S1));
        }

        view.answered(Side.PRIMARY, config(8, R1), "1.6.22");

        assertThat(served().topology()).isEqualTo(config(11, R1, S1));
        assertThat(held()).isEmpty();
        assertThat(logs.lines()).filteredOn(line -> line.startsWith("INFO ")).last()
                .isEqualTo("INFO Served configuration changed: version 10 -> 11, nodes added [r1.example|10.0.9.1|11211], "
                        + "removed [p1.example|10.0.0.1|11211, p2.example|10.0.0.2|11211]; keys moved: "
                        // array-mod, [P1 P2 S1] -> [R1 S1]: of the 6 residues mod 6 only 5 keeps its node (S1)
                        + "array-mod-native 83.3%, ketama-aws-java 75.6%, ketama-xmemcached 70.4%, ketama-libmemcached 73.0%");
        assertThat(logs.lines()).contains(
                "INFO Hold ended: the merged version 11 is higher than version 10 served so far, so clients take it");
    }

    @Test
    void aHoldIsLoggedOnceAsAnErrorThatNamesTheUpstreamTheVersionsAndTheFix() {
        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        for (int poll = 0; poll < 3; poll++) {
            view.answered(Side.PRIMARY, config(5, R1), "1.6.22");
        }

        assertThat(logs.lines()).filteredOn(line -> line.startsWith("ERROR ")).containsExactly(
                "ERROR Holding back a new node list (nodes added [r1.example|10.0.9.1|11211], removed "
                        + "[p1.example|10.0.0.1|11211, p2.example|10.0.0.2|11211]); still serving version 1010 unchanged: "
                        + "primary upstream primary.cfg:11211 went down from version 7 to 5 (was the cluster replaced?), "
                        + "so the merged version 1008 is not higher than version 1010 already served, which clients "
                        + "holding it would ignore. Fix: raise memgrate.version-offset to at least 1003 on every "
                        + "Memgrate replica, then restart them one by one.");
        assertThat(held()).map(HeldMerge::reason).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("primary upstream primary.cfg:11211 went down from version 7 to 5"));

        view.answered(Side.PRIMARY, config(6, R1, R2), "1.6.22");

        assertThat(logs.lines()).as("a different held state is logged again").filteredOn(line -> line.startsWith("ERROR "))
                .hasSize(2).last().asString().contains("merged version 1009", "to at least 1002");
    }

    @Test
    void raisingTheOffsetAsTheErrorSaysServesTheHeldNodeListAboveEveryServedVersion() {
        view = view(0);
        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        view.answered(Side.PRIMARY, config(5, R1), "1.6.22");
        assertThat(held().orElseThrow().reason()).contains("raise memgrate.version-offset to at least 3 ");

        // a replica restarted with that offset sees only the replaced cluster
        MergeEngine restarted = view(3);
        restarted.answered(Side.PRIMARY, config(5, R1), "1.6.22");
        restarted.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        assertThat(restarted.served().orElseThrow().topology()).isEqualTo(config(11, R1, S1));
        assertThat(Optional.ofNullable(restarted.snapshot().held())).isEmpty();
    }

    @Test
    void aLowerVersionWithTheSameNodesKeepsServingTheSameBytesAndWarnsOnce() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedTopology before = served();

        for (int poll = 0; poll < 3; poll++) {
            view.answered(Side.SECONDARY, config(2, S1), "1.6.6");
        }

        assertThat(served()).isSameAs(before);
        assertThat(held()).as("nothing is held back from clients").isEmpty();
        assertThat(logs.lines()).filteredOn(line -> !line.startsWith("INFO ")).containsExactly(
                "WARN Still serving version 1008 unchanged: secondary upstream secondary.cfg:11211 went down from "
                        + "version 3 to 2 (was the cluster replaced?), so the merged version fell to 1007. The node list is "
                        + "the same, so clients miss nothing now, but a node list change will be held back until the merged "
                        + "version exceeds 1008. Fix: raise memgrate.version-offset to at least 1002 on every Memgrate "
                        + "replica, then restart them one by one.");
    }

    @Test
    void aHoldEndsWhenTheUpstreamsListTheServedNodesAgain() {
        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedTopology before = served();
        view.answered(Side.PRIMARY, config(5, R1), "1.6.22");
        assertThat(held()).isPresent();

        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");

        assertThat(held()).isEmpty();
        assertThat(served()).isSameAs(before);
        assertThat(logs.lines()).last()
                .isEqualTo("INFO Hold ended: the upstreams list the served nodes again; still serving version 1010");
    }

    @Test
    void aDifferentNodeListAtTheServedVersionIsHeldToo() {
        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedTopology before = served();

        view.answered(Side.PRIMARY, config(7, R1), "1.6.22");

        assertThat(served()).isSameAs(before);
        assertThat(held().orElseThrow().reason()).startsWith("primary upstream primary.cfg:11211 lists other nodes at "
                + "the same version 7 (was the cluster replaced?), so the merged version 1010 is not higher than version "
                + "1010 already served");
    }

    @Test
    void atTheHighestVersionClientsAcceptTheErrorSaysNoOffsetCanFixIt() {
        view = view(Topology.MAX_VERSION - 10);
        view.answered(Side.PRIMARY, config(7, P1, P2), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        assertThat(served().topology().version()).isEqualTo(Topology.MAX_VERSION);

        view.answered(Side.PRIMARY, config(5, R1), "1.6.22");

        assertThat(held().orElseThrow().reason()).endsWith("No memgrate.version-offset can fix this, as clients accept "
                + "no version above 2147483647. Fix: lower memgrate.version-offset on every Memgrate replica, restart "
                + "them, then restart every client so it forgets the version it holds.");
    }

    private Optional<HeldMerge> held() {
        return Optional.ofNullable(view.snapshot().held());
    }

    private long versionDecreases() {
        return view.snapshot().upstreams().stream().mapToLong(UpstreamState::versionDecreases).sum();
    }
}
