package com.speechbot.server.pipeline;

import com.speechbot.server.auth.TokenService;
import com.speechbot.server.http.Router;
import com.speechbot.server.metrics.ServerMetrics;

/** What every connection's request handler shares. */
public record HttpServices(Router router, TokenService tokens, RequestIds requestIds, Lifecycle lifecycle, ServerMetrics metrics) {}
