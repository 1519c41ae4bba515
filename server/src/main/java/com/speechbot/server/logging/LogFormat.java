package com.speechbot.server.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/**
 * The logback appender for {@code SPEECHBOT_LOG_FORMAT}: {@code json} selects JSON lines, anything else (or nothing)
 * the text format. logback.xml uses it as {@code <define name="LOG_APPENDER" .../>} and
 * {@code <appender-ref ref="${LOG_APPENDER}"/>}: a plain {@code ${SPEECHBOT_LOG_FORMAT:-TEXT}} reference would log
 * nothing at all for a mistyped or lower-case value, since it names no appender.
 */
public final class LogFormat extends PropertyDefinerBase {

    public static final String VARIABLE = "SPEECHBOT_LOG_FORMAT";
    public static final String TEXT = "TEXT";
    public static final String JSON = "JSON";

    @Override
    public String getPropertyValue() {
        return appender(System.getProperty(VARIABLE, System.getenv(VARIABLE)));
    }

    /** The appender name for a format value. */
    public static String appender(String format) {
        return format != null && "json".equals(format.strip().toLowerCase(Locale.ROOT)) ? JSON : TEXT;
    }
}
