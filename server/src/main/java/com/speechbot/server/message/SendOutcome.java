package com.speechbot.server.message;

import com.speechbot.protocol.ChatUpdated;
import com.speechbot.protocol.MessageView;
import com.speechbot.server.error.ApiException;

/**
 * What became of one {@link SendCommand} of a batch: newly {@code STORED}, the {@code EXISTING} message of an
 * idempotent retry, or {@code FAILED} with the error to report (the rest of the batch is unaffected).
 */
public record SendOutcome(Kind kind, MessageView view, ChatUpdated chatUpdated, long seq, ApiException error) {

    /** The three possible results of one send. */
    public enum Kind { STORED, EXISTING, FAILED }

    public static SendOutcome stored(MessageView view, ChatUpdated chatUpdated, long seq) {
        return new SendOutcome(Kind.STORED, view, chatUpdated, seq, null);
    }

    public static SendOutcome existing(MessageView view, ChatUpdated chatUpdated, long seq) {
        return new SendOutcome(Kind.EXISTING, view, chatUpdated, seq, null);
    }

    public static SendOutcome failed(ApiException error) {
        return new SendOutcome(Kind.FAILED, null, null, 0, error);
    }

    public boolean ok() {
        return kind != Kind.FAILED;
    }
}
