package com.speechbot.server.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps {@code METHOD /path/{param}} patterns to handlers. Built once at start, then read-only, so lookups from every
 * event loop need no locking.
 */
public final class Router {

    private final List<Route> routes = new ArrayList<>();

    /** Registers a route; {@code pattern} segments in braces are path parameters, e.g. {@code /v1/chats/{chat_id}}. */
    public Router add(HttpMethod method, String pattern, RouteHandler handler) {
        routes.add(new Route(method, pattern, split(pattern), handler, null, true));
        return this;
    }

    /** Registers an authenticated GET route that upgrades the connection (WebSocket) instead of answering it. */
    public Router addUpgrade(String pattern, UpgradeHandler upgrade) {
        routes.add(new Route(HttpMethod.GET, pattern, split(pattern), null, upgrade, true));
        return this;
    }

    /** Registers a route that needs no bearer token (health, metrics, public pages). */
    public Router addPublic(HttpMethod method, String pattern, RouteHandler handler) {
        routes.add(new Route(method, pattern, split(pattern), handler, null, false));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The match for a path: a route, or the methods the path allows (405), or nothing (404). */
    public Match match(HttpMethod method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Map<String, String> params = r.bind(segments);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method) || (HttpMethod.HEAD.equals(method) && r.method.equals(HttpMethod.GET))) {
                return new Match(r, params, Set.of());
            }
            allowed.add(r.method.name());
        }
        return new Match(null, Map.of(), allowed);
    }

    private static String[] split(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals("/") || p.isEmpty() ? new String[0] : p.substring(1).split("/", -1);
    }

    /** A registered route. */
    public record Route(HttpMethod method, String pattern, String[] segments, RouteHandler handler, UpgradeHandler upgrade,
                        boolean authenticated) {

        Map<String, String> bind(String[] path) {
            if (path.length != segments.length) {
                return null;
            }
            Map<String, String> params = null;
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.startsWith("{") && s.endsWith("}")) {
                    if (path[i].isEmpty()) {
                        return null;
                    }
                    if (params == null) {
                        params = new LinkedHashMap<>();
                    }
                    params.put(s.substring(1, s.length() - 1), path[i]);
                } else if (!s.equals(path[i])) {
                    return null;
                }
            }
            return params == null ? Map.of() : params;
        }
    }

    /** Result of {@link #match}: {@code route} is null when nothing matched; {@code allowed} is non-empty for a 405. */
    public record Match(Route route, Map<String, String> params, Set<String> allowed) {}
}
