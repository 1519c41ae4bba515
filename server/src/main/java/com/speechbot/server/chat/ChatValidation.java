package com.speechbot.server.chat;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.error.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Field rules for chats and members, shared by the REST resource (to report every bad field) and the service. */
public final class ChatValidation {

    /** Longest accepted member id, in characters (code points). */
    public static final int MAX_USER_ID_CHARS = 200;

    private ChatValidation() {}

    /** Why an already trimmed title is not acceptable, or null when it is (1..maxChars characters). */
    public static String titleProblem(String trimmed, int maxChars) {
        if (trimmed == null || trimmed.isEmpty()) {
            return "Title is required";
        }
        if (trimmed.codePointCount(0, trimmed.length()) > maxChars) {
            return "Title must be at most " + maxChars + " characters";
        }
        return null;
    }

    /** The trimmed title, or a 400 VALIDATION_ERROR naming {@code title}. */
    public static String requireTitle(String raw, int maxChars) {
        String trimmed = raw == null ? null : raw.strip();
        String problem = titleProblem(trimmed, maxChars);
        if (problem != null) {
            throw ApiException.field(ErrorCode.VALIDATION_ERROR, problem, "title", problem);
        }
        return trimmed;
    }

    /** The 400 for a PATCH without any known field. */
    public static ApiException nothingToUpdate() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("title", List.of("Provide title and/or bot_enabled"));
        details.put("bot_enabled", List.of("Provide title and/or bot_enabled"));
        return new ApiException(ErrorCode.VALIDATION_ERROR, "At least one of title, bot_enabled is required", details);
    }

    /** Why a member id is not acceptable, or null when it is (non-blank, at most 200 characters, kept verbatim). */
    public static String userIdProblem(String userId) {
        if (userId == null || userId.isBlank()) {
            return "user_id must be a non-empty string";
        }
        if (userId.codePointCount(0, userId.length()) > MAX_USER_ID_CHARS) {
            return "user_id must be at most " + MAX_USER_ID_CHARS + " characters";
        }
        return null;
    }

    /** The member id unchanged, or a 400 INVALID_MEMBER naming {@code user_id}. */
    public static String requireUserId(String userId) {
        String problem = userIdProblem(userId);
        if (problem != null) {
            throw ApiException.field(ErrorCode.INVALID_MEMBER, problem, "user_id", problem);
        }
        return userId;
    }
}
