/** Meter names in one place and the Prometheus registry the server exposes at {@code /metrics}. */
package com.speechbot.server.metrics;
