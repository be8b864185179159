package io.memgrate.protocol;

/** The one check for the unsigned decimal numbers of the protocol: versions, ports, byte counts. */
final class Decimal {

    private Decimal() {
    }

    /** True when {@code text} is 1 to {@code maxDigits} ASCII digits, nothing else (no sign, no spaces). */
    static boolean isDigits(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
