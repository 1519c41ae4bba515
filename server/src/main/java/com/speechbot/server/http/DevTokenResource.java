package com.speechbot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ApiResponse;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.auth.TokenService;
import com.speechbot.server.chat.ChatValidation;
import com.speechbot.server.error.ApiException;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/dev/token {user_id}} → 200 {token, token_type, user_id, expires_at}: the console's "dev login".
 * It mints a token for anyone who asks, so it exists only while the server runs on its generated development secret
 * (no {@code jwt.secret} and no RS256 key configured); otherwise it answers 404 NOT_FOUND like any unknown path.
 */
public final class DevTokenResource {

    public static final String PATH = "/v1/dev/token";

    private final TokenService tokens;
    private final boolean enabled;
    private final Duration ttl;

    public DevTokenResource(TokenService tokens, boolean enabled, Duration ttl) {
        this.tokens = tokens;
        this.enabled = enabled;
        this.ttl = ttl;
    }

    public void register(Router router) {
        router.addPublic(HttpMethod.POST, PATH, this::mint);
    }

    public boolean enabled() {
        return enabled;
    }

    private CompletableFuture<HttpResult> mint(RequestContext rc) {
        if (!enabled) {
            throw new ApiException(ErrorCode.NOT_FOUND, "No such endpoint: " + PATH);
        }
        JsonNode node = rc.jsonBody().get("user_id");
        if (node == null || !node.isTextual()) {
            throw ApiException.field(ErrorCode.VALIDATION_ERROR, "user_id is required", "user_id", "Must be a string");
        }
        String userId;
        try {
            userId = ChatValidation.requireUserId(node.asText());
        } catch (ApiException e) {
            // Same rule as member ids, reported as a plain validation error: there is no member here.
            throw new ApiException(ErrorCode.VALIDATION_ERROR, e.getMessage(), e.details());
        }
        String token = tokens.mint(userId, ttl);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", token);
        data.put("token_type", "Bearer");
        data.put("user_id", userId);
        data.put("expires_at", tokens.verify(token).expiresAt());
        return CompletableFuture.completedFuture(HttpResult.ok(ApiResponse.ok("Development token", data)));
    }
}
