/** SpeechBot Realtime server: {@link com.speechbot.server.SpeechBotServer} wires the packages below together. */
package com.speechbot.server;
