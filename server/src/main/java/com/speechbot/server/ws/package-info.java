/** The WebSocket endpoint: authenticated upgrade, client event decoding, heartbeats. */
package com.speechbot.server.ws;
