package com.speechbot.protocol;

import java.util.List;

/** The {@code data} of GET messages. */
public record MessagePage(List<MessageView> messages, Pagination pagination, ChatInfo chatInfo) {}
