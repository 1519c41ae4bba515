/** The bot's language-model backends: the offline builtin responder and any OpenAI-compatible streaming endpoint. */
package com.speechbot.server.bot;
