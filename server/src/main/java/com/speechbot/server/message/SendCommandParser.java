package com.speechbot.server.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.error.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the JSON of a send (REST body or WebSocket {@code send_message} data) into a {@link SendCommand}, and an edit
 * body into an {@link EditRequest}. Pure validation, no I/O: safe on an event loop. The only checks left to the store
 * are those needing the database (membership, reply_to existence, client_message_id).
 */
public final class SendCommandParser {

    public static final int MAX_THREAD_ID_CHARS = 200;
    public static final int MAX_CLIENT_MESSAGE_ID_CHARS = 200;
    public static final int MAX_FILENAME_CHARS = 255;
    public static final int MAX_ATTACHMENT_CONTENT_TYPE_CHARS = 255;
    public static final int MAX_EDIT_REASON_CHARS = 500;

    private static final Pattern MEDIA_TYPE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\\s*;[ -~]*)?");

    private final ServerConfig.Limits limits;

    public SendCommandParser(ServerConfig.Limits limits) {
        this.limits = limits;
    }

    /** The limits validated against (page sizes included, for the list route). */
    public ServerConfig.Limits limits() {
        return limits;
    }

    /** Validates a send by user {@code authorId}; throws {@link ApiException} naming the first bad field. */
    public SendCommand parse(JsonNode body, String authorId) {
        if (body == null || !body.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
        }
        String content = content(body.get("content"));
        String contentType = contentType(body.get("content_type"));
        String replyTo = replyTo(body.get("reply_to"));
        String threadId = optionalString(body.get("thread_id"), "thread_id", MAX_THREAD_ID_CHARS);
        JsonNode metadata = metadata(body.get("metadata"));
        String clientMessageId = optionalString(body.get("client_message_id"), "client_message_id", MAX_CLIENT_MESSAGE_ID_CHARS);
        List<NewAttachment> attachments = attachments(body.get("attachments"));
        return SendCommand.user(authorId, content, contentType, replyTo, threadId, metadata, attachments, clientMessageId);
    }

    /** Validates an edit body {@code {content, metadata{edit_reason?, ...}}}. */
    public EditRequest parseEdit(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
        }
        String content = content(body.get("content"));
        JsonNode metadata = metadata(body.get("metadata"));
        String reason = null;
        if (metadata != null) {
            ObjectNode copy = ((ObjectNode) metadata).deepCopy();
            JsonNode r = copy.remove("edit_reason");
            if (r != null && !r.isNull()) {
                if (!r.isTextual() || r.asText().length() > MAX_EDIT_REASON_CHARS || hasNul(r.asText())) {
                    throw ApiException.field(ErrorCode.INVALID_METADATA, "Invalid edit reason", "metadata.edit_reason",
                            "Must be a string of at most " + MAX_EDIT_REASON_CHARS + " characters");
                }
                reason = r.asText();
            }
            metadata = copy;
        }
        return new EditRequest(content, metadata, reason);
    }

    /** Required, non-blank after trimming, at most {@code limits.maxContentBytes} in UTF-8; kept as given. */
    public String content(JsonNode node) {
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
            throw ApiException.field(ErrorCode.INVALID_MESSAGE_CONTENT, "Message content cannot be empty", "content",
                    "Content is required");
        }
        if (!node.isTextual()) {
            throw ApiException.field(ErrorCode.INVALID_MESSAGE_CONTENT, "Message content must be a string", "content",
                    "Content must be a string");
        }
        String content = node.asText();
        if (hasNul(content)) {
            throw ApiException.field(ErrorCode.INVALID_MESSAGE_CONTENT, "Message content contains a NUL character",
                    "content", "Content must not contain NUL characters");
        }
        int bytes = utf8Length(content);
        if (bytes > limits.maxContentBytes()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("content", List.of("Content must be at most " + limits.maxContentBytes() + " bytes"));
            details.put("max_bytes", limits.maxContentBytes());
            throw new ApiException(ErrorCode.INVALID_MESSAGE_CONTENT, "Message content exceeds maximum size", details);
        }
        return content;
    }

    private static String contentType(JsonNode node) {
        if (node == null || node.isNull()) {
            return "text";
        }
        if (node.isTextual() && SendCommand.CONTENT_TYPES.contains(node.asText())) {
            return node.asText();
        }
        throw ApiException.field(ErrorCode.INVALID_CONTENT_TYPE, "Unsupported content type", "content_type",
                "Must be one of text, markdown, code");
    }

    private static String replyTo(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || Ids.parseMessageId(node.asText()) == null) {
            throw ApiException.field(ErrorCode.INVALID_REPLY_TO, "reply_to must reference a message of this chat",
                    "reply_to", "Must be a message id of this chat");
        }
        return node.asText();
    }

    private static String optionalString(JsonNode node, String field, int maxChars) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank() || node.asText().length() > maxChars || hasNul(node.asText())) {
            throw ApiException.field(ErrorCode.VALIDATION_ERROR, "Invalid " + field, field,
                    "Must be a non-blank string of at most " + maxChars + " characters");
        }
        return node.asText();
    }

    /** An object or null, at most {@code limits.maxMetadataBytes} serialized. */
    public JsonNode metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiException.field(ErrorCode.INVALID_METADATA, "Metadata must be a JSON object", "metadata",
                    "Must be an object or null");
        }
        checkMetadataSize(node, limits.maxMetadataBytes());
        return node;
    }

    /** Size and storability of metadata (PostgreSQL jsonb refuses the NUL character). */
    static void checkMetadataSize(JsonNode node, int maxBytes) {
        String text = Json.writeString(node);
        if (text.contains("\\u0000")) {
            throw ApiException.field(ErrorCode.INVALID_METADATA, "Metadata contains a NUL character", "metadata",
                    "Must not contain NUL characters");
        }
        int bytes = utf8Length(text);
        if (bytes > maxBytes) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("metadata", List.of("Metadata must be at most " + maxBytes + " bytes when serialized"));
            details.put("max_bytes", maxBytes);
            throw new ApiException(ErrorCode.INVALID_METADATA, "Metadata exceeds maximum size", details);
        }
    }

    private List<NewAttachment> attachments(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Attachments must be an array", "attachments",
                    "Must be an array");
        }
        if (node.size() > limits.maxAttachments()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("attachments", List.of("At most " + limits.maxAttachments() + " attachments per message"));
            details.put("max_attachments", limits.maxAttachments());
            throw new ApiException(ErrorCode.INVALID_ATTACHMENT, "Too many attachments", details);
        }
        List<NewAttachment> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(attachment(node.get(i), i));
        }
        return out;
    }

    private NewAttachment attachment(JsonNode a, int i) {
        String prefix = "attachments[" + i + "].";
        if (!a.isObject()) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Attachment must be an object", "attachments[" + i + "]",
                    "Must be an object");
        }
        JsonNode filename = a.get("filename");
        if (filename == null || !filename.isTextual() || filename.asText().isBlank()
                || filename.asText().length() > MAX_FILENAME_CHARS || hasControl(filename.asText())) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Invalid attachment filename", prefix + "filename",
                    "Required, at most " + MAX_FILENAME_CHARS + " characters, no control characters");
        }
        JsonNode type = a.get("content_type");
        if (type == null || !type.isTextual() || type.asText().length() > MAX_ATTACHMENT_CONTENT_TYPE_CHARS
                || !MEDIA_TYPE.matcher(type.asText()).matches()) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Invalid attachment content type", prefix + "content_type",
                    "Required, a media type such as text/csv");
        }
        JsonNode size = a.get("size");
        if (size == null || !size.isIntegralNumber() || size.asLong() < 0 || !size.canConvertToLong()) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Invalid attachment size", prefix + "size",
                    "Required, the size in bytes of the decoded data");
        }
        long declared = size.asLong();
        JsonNode data = a.get("data");
        String b64 = data != null && data.isTextual() ? stripWhitespace(data.asText()) : null;
        // The data's own size rules over the declared one (which may understate it); both are known before decoding.
        long provided = b64 == null ? 0 : decodedSize(b64);
        if (provided > limits.maxAttachmentBytes()) {
            throw tooLarge(provided);
        }
        if (declared > limits.maxAttachmentBytes()) {
            throw tooLarge(declared);
        }
        if (b64 == null) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Attachment data is required", prefix + "data",
                    "Required, base64-encoded content");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ErrorCode.INVALID_ATTACHMENT, "Attachment data is not valid base64", prefix + "data",
                    "Must be valid base64");
        }
        if (bytes.length != declared) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put(prefix + "size", List.of("Declared size does not match the decoded data"));
            details.put("declared_size", declared);
            details.put("actual_size", bytes.length);
            throw new ApiException(ErrorCode.INVALID_ATTACHMENT, "Attachment size does not match its data", details);
        }
        return new NewAttachment(filename.asText(), type.asText(), bytes);
    }

    private ApiException tooLarge(long provided) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("max_size", limits.maxAttachmentBytes());
        details.put("provided_size", provided);
        return new ApiException(ErrorCode.ATTACHMENT_TOO_LARGE, "Attachment size exceeds maximum limit", details);
    }

    /**
     * The number of bytes {@code b64} decodes to, from its length alone: every 4 characters carry 3 bytes, and each
     * trailing '=' (or each character missing from an unpadded last group) one byte less. Exact for valid base64;
     * invalid base64 is refused when decoded.
     */
    static long decodedSize(String b64) {
        int chars = b64.length();
        int padding = 0;
        while (padding < 2 && padding < chars && b64.charAt(chars - 1 - padding) == '=') {
            padding++;
        }
        return (long) (chars - padding) * 3 / 4;
    }

    private static String stripWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                StringBuilder b = new StringBuilder(s.length());
                for (int j = 0; j < s.length(); j++) {
                    char c = s.charAt(j);
                    if (!Character.isWhitespace(c)) {
                        b.append(c);
                    }
                }
                return b.toString();
            }
        }
        return s;
    }

    static boolean hasNul(String s) {
        return s.indexOf('\u0000') >= 0;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    static int utf8Length(String s) {
        // exact for valid UTF-16; counts a lone surrogate as the 1 byte '?' the encoder would write
        return s.length() < 1024 ? s.getBytes(StandardCharsets.UTF_8).length : countUtf8(s);
    }

    private static int countUtf8(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
