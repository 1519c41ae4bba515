package com.speechbot.server.message;

import java.util.Objects;

/** An attachment of a message being sent, already decoded and checked against the limits. */
public record NewAttachment(String filename, String contentType, byte[] data) {

    public NewAttachment {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(data, "data");
    }

    public long size() {
        return data.length;
    }
}
