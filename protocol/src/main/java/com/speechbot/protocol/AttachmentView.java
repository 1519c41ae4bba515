package com.speechbot.protocol;

/** An attachment's description; its bytes are served at {@code url}. */
public record AttachmentView(String id, String filename, String contentType, long size, String url, String thumbnailUrl) {}
