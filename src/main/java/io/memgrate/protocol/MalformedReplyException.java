package io.memgrate.protocol;

/** An upstream reply that breaks the protocol; the message says how, in words an operator can act on. */
public class MalformedReplyException extends RuntimeException {

    public MalformedReplyException(String reason) {
        super(reason);
    }
}
