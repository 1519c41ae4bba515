package com.speechbot.server.pipeline;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.auth.AuthException;
import com.speechbot.server.auth.AuthenticatedUser;
import com.speechbot.server.auth.TokenService;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.error.ErrorMapper;
import com.speechbot.server.http.HttpResult;
import com.speechbot.server.http.RequestContext;
import com.speechbot.server.http.Router;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Routes each aggregated request: codec failures, 404/405, authentication, then the route's handler; the response
 * is written when its stage completes. Per connection (not shared) because it keeps pipelined requests in order:
 * the next request starts only after the previous response is written.
 */
public final class HttpRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);
    /** One line per request (method, route, status, duration), tagged with the request id; off unless SPEECHBOT_ACCESS_LOG=INFO. */
    private static final Logger access = LoggerFactory.getLogger("com.speechbot.server.access");
    /** The MDC key every log line written while handling a request carries (and error envelopes echo). */
    public static final String MDC_REQUEST_ID = "request_id";
    private static final int MAX_PIPELINED = 16;

    private final HttpServices services;
    private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>();
    private boolean busy;
    /** The path of the request being answered (one at a time per connection), for the access log; never the query. */
    private String currentPath = "-";

    HttpRequestHandler(HttpServices services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy) {
            if (pending.size() >= MAX_PIPELINED) {
                req.release();
                ctx.close();
                return;
            }
            pending.add(req);
            return;
        }
        process(ctx, req);
    }

    private void process(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        services.lifecycle().requestStarted();
        String requestId = services.requestIds().idFor(req.headers().get(HttpResponses.REQUEST_ID));
        long startNanos = System.nanoTime();
        MDC.put(MDC_REQUEST_ID, requestId);
        currentPath = "-";
        try {
            if (req.decoderResult().isFailure()) {
                respondError(ctx, codecFailure(req.decoderResult().cause()), requestId, false, "codec", req.method(), startNanos);
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req) && !services.lifecycle().isDraining();
            QueryStringDecoder uri = new QueryStringDecoder(req.uri());
            String path = uri.path();
            currentPath = path;
            Router.Match match = services.router().match(req.method(), path);
            if (match.route() == null) {
                if (!match.allowed().isEmpty()) {
                    ApiException e = new ApiException(ErrorCode.METHOD_NOT_ALLOWED,
                            "Method " + req.method() + " is not allowed here", Map.of("allowed", match.allowed()));
                    respondError(ctx, e, requestId, keepAlive, "unmatched", req.method(), startNanos,
                            String.join(", ", match.allowed()));
                } else {
                    respondError(ctx, new ApiException(ErrorCode.NOT_FOUND, "No such endpoint: " + path), requestId,
                            keepAlive, "unmatched", req.method(), startNanos);
                }
                return;
            }
            Router.Route route = match.route();
            String userId = null;
            if (route.authenticated()) {
                userId = authenticate(req, uri);
            }
            if (route.upgrade() != null) {
                busy = false;
                services.lifecycle().requestFinished();
                // The upgrade takes ownership of the request (it releases it) and of the channel from here on.
                route.upgrade().upgrade(ctx, req.retain(), match.params(), uri.parameters(), userId, requestId);
                return;
            }
            RequestContext rc = new RequestContext(req.method(), path, match.params(), uri.parameters(), req.headers(),
                    ByteBufUtil.getBytes(req.content()), userId, requestId);
            boolean head = HttpMethod.HEAD.equals(req.method());
            CompletionStage<HttpResult> stage = route.handler().handle(rc);
            HttpMethod method = req.method();
            stage.whenComplete((result, failure) -> {
                // The stage may complete on a database thread: tag what is logged while answering with the request id.
                String outer = MDC.get(MDC_REQUEST_ID);
                MDC.put(MDC_REQUEST_ID, requestId);
                try {
                    if (failure != null) {
                        respondError(ctx, ErrorMapper.toApi(failure, requestId), requestId, keepAlive, route.pattern(),
                                method, startNanos);
                    } else {
                        respond(ctx, result, requestId, keepAlive, head, route.pattern(), method, startNanos);
                    }
                } finally {
                    if (outer == null) {
                        MDC.remove(MDC_REQUEST_ID);
                    } else {
                        MDC.put(MDC_REQUEST_ID, outer);
                    }
                }
            });
        } catch (AuthException | ApiException e) {
            respondError(ctx, ErrorMapper.toApi(e, requestId), requestId, HttpUtil.isKeepAlive(req), "auth", req.method(),
                    startNanos);
        } catch (Exception e) {
            respondError(ctx, ErrorMapper.toApi(e, requestId), requestId, false, "error", req.method(), startNanos);
        } finally {
            req.release();
            MDC.remove(MDC_REQUEST_ID);
        }
    }

    private String authenticate(FullHttpRequest req, QueryStringDecoder uri) {
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        String token = TokenService.bearer(header).orElse(null);
        if (token == null) {
            // Browsers cannot set headers on WebSocket handshakes, so the spec passes the token in the query.
            var q = uri.parameters().get("token");
            token = q == null || q.isEmpty() ? null : q.get(0);
        }
        if (token == null || token.isBlank()) {
            throw new ApiException(ErrorCode.AUTH_REQUIRED, header == null
                    ? "Authorization: Bearer <token> is required" : "Authorization header must be 'Bearer <token>'");
        }
        AuthenticatedUser user = services.tokens().verify(token);
        return user.userId();
    }

    private static ApiException codecFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new ApiException(ErrorCode.URI_TOO_LONG, "Request line is too long");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new ApiException(ErrorCode.HEADERS_TOO_LARGE, "Request headers are too large");
        }
        if (cause instanceof TooLongFrameException) {
            return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "Request is too large");
        }
        return new ApiException(ErrorCode.BAD_REQUEST, "Malformed HTTP request");
    }

    private void respond(ChannelHandlerContext ctx, HttpResult result, String requestId, boolean keepAlive, boolean head,
                         String route, HttpMethod method, long startNanos) {
        FullHttpResponse res;
        if (result.bytes() != null) {
            res = HttpResponses.bytes(ctx.alloc(), result.status(), head ? new byte[0] : result.bytes(),
                    result.contentType(), requestId);
            if (head) {
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, result.bytes().length);
            }
            if (result.contentDisposition() != null) {
                res.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, result.contentDisposition());
            }
            res.headers().set("X-Content-Type-Options", "nosniff");
            if (result.status().code() == 304) {
                res.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9110 §15.4.5: none, or the 200's length
            }
        } else {
            byte[] body = Json.writeBytes(result.json());
            res = HttpResponses.bytes(ctx.alloc(), result.status(), head ? new byte[0] : body,
                    "application/json; charset=utf-8", requestId);
            if (head) {
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
        }
        result.headers().forEach((name, value) -> res.headers().set(name, value));
        finish(ctx, res, keepAlive, route, method, startNanos);
    }

    private void respondError(ChannelHandlerContext ctx, ApiException e, String requestId, boolean keepAlive, String route,
                              HttpMethod method, long startNanos, String... allow) {
        FullHttpResponse res = HttpResponses.json(ctx.alloc(), HttpResponseStatus.valueOf(e.code().httpStatus()),
                ErrorMapper.envelope(e, requestId), requestId);
        if (allow.length > 0) {
            res.headers().set(HttpHeaderNames.ALLOW, allow[0]);
        }
        if (e.code().httpStatus() == 401) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        finish(ctx, res, keepAlive, route, method, startNanos);
    }

    private void finish(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive, String route, HttpMethod method,
                        long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        services.metrics().httpRequest(method.name(), route, res.status().code(), nanos);
        if (access.isInfoEnabled()) {
            access.info("{} {} {} {} us ({})", method, abbreviate(currentPath), res.status().code(), nanos / 1000, route);
        }
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(res);
        f.addListener(x -> services.lifecycle().requestFinished());
        if (!keepAlive) {
            f.addListener(x -> ctx.close());
            return;
        }
        f.addListener(x -> {
            // Back on the channel's loop: start the next pipelined request, if any.
            busy = false;
            FullHttpRequest next = pending.poll();
            if (next != null) {
                process(ctx, next);
            }
        });
    }

    private static String abbreviate(String path) {
        return path.length() <= 200 ? path : path.substring(0, 200) + "...";
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        FullHttpRequest r;
        while ((r = pending.poll()) != null) {
            r.release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection error {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("unexpected pipeline error on {}", ctx.channel(), cause);
        }
        ctx.close();
    }
}
