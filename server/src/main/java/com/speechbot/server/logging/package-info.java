/** Logging setup: the text/JSON format switch read by logback.xml, and progress reports for long operations. */
package com.speechbot.server.logging;
