package com.speechbot.server.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.error.ApiException;
import java.util.List;
import java.util.Map;

/** Validation of reaction requests: the emoji must really be an emoji-like symbol, not text. */
public final class Reactions {

    public static final int MAX_EMOJI_CHARS = 32;

    private Reactions() {}

    /** A validated {@code {emoji, action}} body. */
    public record Request(String emoji, String action) {}

    public static Request parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
        }
        JsonNode e = body.get("emoji");
        if (e == null || !e.isTextual() || !isEmoji(e.asText())) {
            throw ApiException.field(ErrorCode.INVALID_REACTION, "Invalid reaction emoji", "emoji",
                    "Must be a single emoji of at most " + MAX_EMOJI_CHARS + " characters");
        }
        JsonNode a = body.get("action");
        String action = "add";
        if (a != null && !a.isNull()) {
            if (!a.isTextual() || !(a.asText().equals("add") || a.asText().equals("remove"))) {
                throw new ApiException(ErrorCode.INVALID_REACTION, "Invalid reaction action",
                        Map.of("action", List.of("Must be add or remove")));
            }
            action = a.asText();
        }
        return new Request(e.asText(), action);
    }

    /**
     * Non-blank, at most {@value #MAX_EMOJI_CHARS} UTF-16 units, made only of emoji code points (symbols, pictographs,
     * regional indicators, tags, skin tones) and their joiners/selectors/keycap marks, with at least one symbol.
     */
    public static boolean isEmoji(String s) {
        if (s == null || s.isBlank() || s.length() > MAX_EMOJI_CHARS) {
            return false;
        }
        boolean symbol = false;
        boolean keycap = s.indexOf('\u20E3') >= 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isSymbol(cp)) {
                symbol = true;
            } else if (cp == 0x200D || cp == 0xFE0F || cp == 0xFE0E || cp == 0x20E3
                    || (cp >= 0xE0020 && cp <= 0xE007F)) {
                // joiner, variation selectors, keycap mark, tag characters (subdivision flags)
                continue;
            } else if (keycap && (cp == '#' || cp == '*' || (cp >= '0' && cp <= '9'))) {
                symbol = true; // keycap base, e.g. 1️⃣
            } else {
                return false;
            }
        }
        return symbol;
    }

    private static boolean isSymbol(int cp) {
        return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF)
                || Character.getType(cp) == Character.OTHER_SYMBOL;
    }
}
