package com.speechbot.server.http;

import com.speechbot.protocol.ApiResponse;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.metrics.ServerMetrics;
import com.speechbot.server.store.Database;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Operator endpoints without authentication: liveness, readiness (database reachable) and Prometheus metrics. */
public final class OpsResource {

    private final Database db;
    private final ServerMetrics metrics;

    public OpsResource(Database db, ServerMetrics metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    public void register(Router router) {
        router.addPublic(HttpMethod.GET, "/healthz",
                rc -> CompletableFuture.completedFuture(HttpResult.ok(ApiResponse.ok(Map.of("status", "ok")))));
        router.addPublic(HttpMethod.GET, "/readyz", rc -> CompletableFuture.supplyAsync(db::ping, db.executor())
                .thenApply(up -> {
                    if (!up) {
                        throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Database is not reachable");
                    }
                    return HttpResult.ok(ApiResponse.ok(Map.of("status", "ready", "database", "up")));
                }));
        router.addPublic(HttpMethod.GET, "/metrics", rc -> CompletableFuture.completedFuture(
                HttpResult.text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8")));
    }
}
