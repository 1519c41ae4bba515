package com.speechbot.server.pipeline;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.error.ApiException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Map;

/**
 * Aggregates request bodies up to the configured limit and answers larger ones with 413 in the API envelope; Netty
 * checks {@code Content-Length} first, so an oversized upload is refused before it is buffered.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    private final int maxBytes;

    BodyLimitAggregator(int maxBytes) {
        super(maxBytes, true);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ApiException e = new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body exceeds the maximum size",
                Map.of("max_size", maxBytes, "provided_size", HttpUtil.getContentLength(oversized, -1L)));
        // The rest of the body may still be arriving: answer, then close, so the stream stays in sync.
        HttpResponses.writeError(ctx, e, null, true).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
