package com.speechbot.server.http;

import com.speechbot.server.message.AttachmentContent;
import com.speechbot.server.message.MessageService;
import io.netty.handler.codec.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Attachment downloads, for members of the attachment's chat only (everyone else gets 404 ATTACHMENT_NOT_FOUND). */
public final class AttachmentsResource {

    /** Types a browser would run as active content on our origin: served as a download, not inline. */
    private static final Set<String> ACTIVE_TYPES = Set.of("text/html", "application/xhtml+xml", "image/svg+xml",
            "text/xml", "application/xml", "text/javascript", "application/javascript", "application/x-javascript");

    private final MessageService service;

    public AttachmentsResource(MessageService service) {
        this.service = service;
    }

    public void register(Router router) {
        router.add(HttpMethod.GET, "/v1/attachments/{attachment_id}", this::download);
    }

    private CompletableFuture<HttpResult> download(RequestContext req) {
        return service.attachment(req.pathParam("attachment_id"), req.userId())
                .thenApply(a -> HttpResult.bytes(a.data(), a.contentType(), disposition(a)));
    }

    static String disposition(AttachmentContent a) {
        String mediaType = a.contentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String kind = ACTIVE_TYPES.contains(mediaType) ? "attachment" : "inline";
        StringBuilder ascii = new StringBuilder(a.filename().length());
        boolean plain = true;
        for (int i = 0; i < a.filename().length(); i++) {
            char c = a.filename().charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                ascii.append('_');
                plain = false;
            } else {
                ascii.append(c);
            }
        }
        String header = kind + "; filename=\"" + ascii + "\"";
        if (!plain) {
            header += "; filename*=UTF-8''" + URLEncoder.encode(a.filename(), StandardCharsets.UTF_8).replace("+", "%20");
        }
        return header;
    }
}
