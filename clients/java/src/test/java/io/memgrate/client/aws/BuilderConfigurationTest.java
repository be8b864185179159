package io.memgrate.client.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;

/**
 * README's configuration of the AWS client, as written there: dynamic mode, the adapter, consistent hashing. The
 * client's builder must hand all three to the client (the service's tests run the adapter with real clients).
 */
class BuilderConfigurationTest {

    @Test
    void theBuilderConfigurationInReadmeGivesTheClientTheAdapterAndKetama() {
        MemgrateEndpointStrategyFactory adapter = new MemgrateEndpointStrategyFactory();
        ConnectionFactory factory = new ConnectionFactoryBuilder().setClientMode(ClientMode.Dynamic)
                .setConfigEndpointSelectionStrategyFactory(adapter)
                .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
                .setHashAlg(DefaultHashAlgorithm.KETAMA_HASH).build();

        assertThat(factory.getClientMode()).isEqualTo(ClientMode.Dynamic);
        assertThat(factory.getConfigEndpointSelectionStrategyFactory()).isSameAs(adapter);
        assertThat(factory.getConfigEndpointSelectionStrategyFactory().create())
                .isInstanceOf(MemgrateEndpointStrategy.class);
        assertThat(factory.getHashAlg()).isEqualTo(DefaultHashAlgorithm.KETAMA_HASH);
        List<MemcachedNode> noNodes = Collections.emptyList();
        assertThat(factory.createLocator(noNodes)).isInstanceOf(KetamaNodeLocator.class);
    }
}
