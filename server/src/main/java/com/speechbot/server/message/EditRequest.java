package com.speechbot.server.message;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated edit: the new content, the metadata to merge into the message's (without {@code edit_reason}, which goes
 * to the edit history) and the optional reason.
 */
public record EditRequest(String content, JsonNode metadata, String editReason) {}
