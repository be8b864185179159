package io.memgrate.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.memgrate.protocol.ClusterConfig;
import io.memgrate.protocol.Node;
import io.memgrate.upstream.Side;

class MergedViewTest {

    private static final long OFFSET = 1000;
    private static final Node P1 = new Node("p1.example", "10.0.0.1", 11211);
    private static final Node P2 = new Node("p2.example", "10.0.0.2", 11211);
    private static final Node S1 = new Node("s1.example", "10.1.0.1", 11211);

    private MergedView view;

    @BeforeEach
    void setUp() {
        view = new MergedView(OFFSET, Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC));
        view.expect(Side.PRIMARY, "primary.cfg:11211");
        view.expect(Side.SECONDARY, "secondary.cfg:11211");
    }

    private static ClusterConfig config(long version, Node... nodes) {
        return new ClusterConfig(version, List.of(nodes));
    }

    private ServedConfig served() {
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
        assertThat(served().config()).isEqualTo(config(5 + 3 + OFFSET, P1, S1));
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

        ServedConfig served = served();
        assertThat(served.configReply().getBytes()).isEqualTo(io.memgrate.protocol.Replies.config(served.config()));
        assertThat(served.legacyReply().getBytes()).isEqualTo(io.memgrate.protocol.Replies.legacyConfig(served.config()));
    }

    @Test
    void failureKeepsTheLastKnownGoodConfiguration() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedConfig before = served();

        view.failed(Side.SECONDARY, "connection refused");
        view.failed(Side.PRIMARY, "timeout");

        assertThat(served()).isSameAs(before);
        assertThat(served().config()).isEqualTo(config(1008, P1, S1));
        assertThat(view.upstreams())
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
        long before = served().config().version();

        view.answered(Side.PRIMARY, config(8, P1, P2), "1.6.22");

        assertThat(served().config().version()).isEqualTo(before + 3);
        assertThat(served().config().nodes()).containsExactly(P1, P2, S1);
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
        assertThat(view.versionDecreases()).isZero();

        view.answered(Side.SECONDARY, config(2, S1), "1.6.6");
        assertThat(view.versionDecreases()).isEqualTo(1);

        view.answered(Side.SECONDARY, config(2, S1), "1.6.6");
        assertThat(view.versionDecreases()).as("an unchanged version is not a decrease").isEqualTo(1);

        view.answered(Side.PRIMARY, config(1, P1), "1.6.22");
        assertThat(view.versionDecreases()).isEqualTo(2);
    }

    @Test
    void identicalAnswersKeepTheSameServedInstance() {
        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");
        ServedConfig first = served();

        view.answered(Side.PRIMARY, config(5, P1), "1.6.22");
        view.answered(Side.SECONDARY, config(3, S1), "1.6.6");

        assertThat(served()).isSameAs(first);
    }
}
