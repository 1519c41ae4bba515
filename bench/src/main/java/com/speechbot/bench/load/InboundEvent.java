package com.speechbot.bench.load;

/**
 * The fields of a server event the scenarios look at, filled by {@link EventParser}. One instance per connection,
 * reused for every frame: listeners must copy what they keep.
 */
final class InboundEvent {

    String type;
    /** new_message: data.message.id; message_status / bot_response_chunk: data.message_id. */
    String messageId;
    String content;
    String role;
    String clientMessageId;
    String userId;
    String status;
    String errorCode;
    String errorMessage;
    int chunkIndex = -1;
    int chunkChars;
    boolean isComplete;
    boolean isTyping;
    /** Frame payload size in bytes. */
    int bytes;

    void reset(int frameBytes) {
        type = null;
        messageId = null;
        content = null;
        role = null;
        clientMessageId = null;
        userId = null;
        status = null;
        errorCode = null;
        errorMessage = null;
        chunkIndex = -1;
        chunkChars = 0;
        isComplete = false;
        isTyping = false;
        bytes = frameBytes;
    }
}
