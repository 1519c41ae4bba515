/** Chats and their members: the store (blocking, JDBC executor only), the async service and its change listener. */
package com.speechbot.server.chat;
