package io.shallowserve.server.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;

/**
 * Routing rules where each path answers one method and every other method with 405 naming it, as Triton answers
 * (its handlers check the method first); without them a known path with the wrong method fell through to the 404 of
 * an unknown path.
 */
final class Routes {

    private final HttpRules rules;

    Routes(HttpRules rules) {
        this.rules = rules;
    }

    Routes get(String path, Handler handler) {
        return route(Method.GET, path, handler);
    }

    Routes post(String path, Handler handler) {
        return route(Method.POST, path, handler);
    }

    private Routes route(Method method, String path, Handler handler) {
        rules.route(method, path, handler)
                .any(path, (request, response) -> JsonResponses.methodNotAllowed(request, response, method));
        return this;
    }
}
