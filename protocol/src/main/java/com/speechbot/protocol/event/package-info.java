/** WebSocket events: the {@code {type, data}} frames exchanged with clients. */
package com.speechbot.protocol.event;
