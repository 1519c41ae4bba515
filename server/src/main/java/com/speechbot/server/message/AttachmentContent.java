package com.speechbot.server.message;

/** An attachment's stored bytes, for download. */
public record AttachmentContent(String id, String filename, String contentType, byte[] data) {}
