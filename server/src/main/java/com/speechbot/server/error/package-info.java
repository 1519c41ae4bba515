/** Errors in one place: the exception handlers throw and the one mapper to the REST envelope and the WebSocket error event. */
package com.speechbot.server.error;
