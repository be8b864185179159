package io.memgrate.status;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * {@code /memgrate} sends the browser to the dashboard page, {@code /memgrate/}: the page reads {@code status}
 * relative to its own address, so it must be opened with the slash.
 */
@ApplicationScoped
public class StatusPageRoute {

    void route(@Observes Router router) {
        router.get("/memgrate").handler(context -> {
            if ("/memgrate".equals(context.request().path())) {
                context.redirect("/memgrate/");
            } else {
                context.next();
            }
        });
    }
}
