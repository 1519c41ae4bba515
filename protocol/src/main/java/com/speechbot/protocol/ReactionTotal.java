package com.speechbot.protocol;

import java.util.List;

/** Reactions to a message aggregated per emoji. */
public record ReactionTotal(String emoji, int count, List<String> users) {}
