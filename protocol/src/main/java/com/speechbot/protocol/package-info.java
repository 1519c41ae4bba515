/** Wire types of the SpeechBot API: REST representations, envelopes, error codes and WebSocket events. */
package com.speechbot.protocol;
