package io.memgrate.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * While open, the AWS SDK's default credential chain finds nothing, as on a pod without IRSA: the build's test keys
 * (system properties) are taken away, the profile files point at a file that does not exist, and the instance
 * metadata service is never asked (no request leaves the machine). Closing puts everything back. System properties are
 * the JVM's: close it before other tests run.
 */
public final class NoAwsCredentials implements AutoCloseable {

    /** Variables through which the chain would find credentials: the tests cannot unset them, so they refuse to run. */
    private static final List<String> CREDENTIAL_VARIABLES = List.of("AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    private static final Map<String, String> PROPERTIES = Map.of(
            "aws.accessKeyId", "",
            "aws.secretAccessKey", "",
            "aws.sessionToken", "",
            "aws.webIdentityTokenFile", "",
            "aws.disableEc2Metadata", "true",
            "aws.sharedCredentialsFile", "/nonexistent/memgrate-test/credentials",
            "aws.configFile", "/nonexistent/memgrate-test/config");

    private final Map<String, String> saved = new HashMap<>();
    private boolean closed;

    private NoAwsCredentials() {
        for (String variable : CREDENTIAL_VARIABLES) {
            if (System.getenv(variable) != null) {
                throw new IllegalStateException(variable + " is set: unset it to run the tests of Memgrate without AWS credentials");
            }
        }
        PROPERTIES.forEach((key, value) -> {
            saved.put(key, System.getProperty(key));
            if (value.isEmpty()) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    public static NoAwsCredentials start() {
        return new NoAwsCredentials();
    }

    /** Puts the properties back as they were; once, however often it is called. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        saved.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }
}
