/** The messages domain: validated send commands, the blocking PostgreSQL message store and its async façade. */
package com.speechbot.server.message;
