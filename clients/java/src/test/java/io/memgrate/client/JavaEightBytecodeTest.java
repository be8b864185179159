package io.memgrate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

import io.memgrate.client.aws.MemgrateEndpointStrategyFactory;
import io.memgrate.client.xmemcached.MemgrateElastiCacheClient;

/** Applications still on Java 8 can load the adapters: class file version 52. */
class JavaEightBytecodeTest {

    @Test
    void theAdaptersAreJavaEightClasses() throws IOException {
        for (Class<?> adapter : new Class<?>[] { MemgrateEndpointStrategyFactory.class, MemgrateElastiCacheClient.class,
                EndpointOutage.class }) {
            assertThat(majorVersion(adapter)).as(adapter.getName()).isEqualTo(52);
        }
    }

    private static int majorVersion(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class");
                DataInputStream classFile = new DataInputStream(in)) {
            assertThat(classFile.readInt()).isEqualTo(0xCAFEBABE);
            classFile.readUnsignedShort();
            return classFile.readUnsignedShort();
        }
    }
}
