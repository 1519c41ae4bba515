package com.speechbot.server.bot;

import java.util.List;

/** What the model is asked: the conversation so far (oldest first, bounded by the context budget) ending in the prompt. */
public record BotRequest(String chatId, String userMessageId, List<Turn> conversation, String model, double temperature,
                         int maxTokens) {

    /** One message of the conversation: role {@code user} or {@code assistant}. */
    public record Turn(String role, String content) {}

    public String prompt() {
        return conversation.isEmpty() ? "" : conversation.get(conversation.size() - 1).content();
    }
}
