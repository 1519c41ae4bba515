package com.speechbot.server.chat;

import com.speechbot.protocol.ChatView;
import java.util.List;

/** A chat row with its member ids (sorted), read in one statement so both describe the same moment. */
public record ChatDetails(ChatRow row, List<String> members) {

    public ChatDetails {
        members = List.copyOf(members);
    }

    public ChatView view() {
        return row.toView(members);
    }
}
