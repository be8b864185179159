package io.memgrate.protocol;

/**
 * A reply that is framed correctly but says something that breaks the protocol: a bad node entry, a version line that
 * is not one. Its bytes are consumed, so the replies after it on the same connection are still in step.
 */
public final class MalformedContentException extends MalformedReplyException {

    MalformedContentException(MalformedReplyException cause) {
        super(cause.reason(), cause.getMessage());
    }
}
