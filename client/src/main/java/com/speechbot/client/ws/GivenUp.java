package com.speechbot.client.ws;

import com.speechbot.client.outbox.QueuedSend;

/** A queued send dropped from the outbox: refused by the server ({@code error} is its code), too old, or retried enough. */
public record GivenUp(QueuedSend send, String error, String message) {}
