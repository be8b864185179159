package io.memgrate.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointOutageTest {

    @Test
    void onlyTheFirstFailureOfAnOutageAndItsEndAreReported() {
        EndpointOutage outage = new EndpointOutage();
        assertThat(outage.answered()).isEqualTo(-1);

        assertThat(outage.failed()).isTrue();
        assertThat(outage.failed()).isFalse();
        assertThat(outage.failed()).isFalse();
        assertThat(outage.failuresSinceLastAnswer()).isEqualTo(3);

        assertThat(outage.answered()).isGreaterThanOrEqualTo(0);
        assertThat(outage.answered()).isEqualTo(-1);
        assertThat(outage.failuresSinceLastAnswer()).isZero();

        assertThat(outage.failed()).as("a second outage is logged again").isTrue();
    }
}
