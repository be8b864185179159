package io.memgrate.support;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one series from the running application's {@code /q/metrics}. */
public final class Prometheus {

    private Prometheus() {
    }

    /** The value of {@code series} (name and labels, as Prometheus prints them), NaN when absent. */
    public static double metric(String series) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : Double.NaN;
    }

    /** A counter's value, 0 before it first counted (it is absent until then). */
    public static double counter(String series) {
        double value = metric(series);
        return Double.isNaN(value) ? 0 : value;
    }
}
