package com.speechbot.server.http;

import java.util.concurrent.CompletionStage;

/**
 * One route's logic. Runs on the connection's event loop: it must not block, so database work is handed to the
 * store executor and the answer comes back as a stage. Failures are {@link com.speechbot.server.error.ApiException}s,
 * thrown or completing the stage.
 */
@FunctionalInterface
public interface RouteHandler {
    CompletionStage<HttpResult> handle(RequestContext request) throws Exception;
}
