package com.speechbot.protocol;

import java.util.List;

/** The {@code data} of a reaction change. */
public record ReactionResult(String messageId, String action, ReactionView reaction, List<ReactionTotal> totalReactions) {}
