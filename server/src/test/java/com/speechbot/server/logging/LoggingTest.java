package com.speechbot.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The logging contract: {@code SPEECHBOT_LOG_FORMAT=json} turns the bundled logback.xml into JSON lines (anything else
 * keeps text), request handling tags log lines with the request id, and long steps report progress.
 */
class LoggingTest {

    @Test
    void theFormatValueSelectsTheAppender() {
        assertThat(LogFormat.appender("json")).isEqualTo("JSON");
        assertThat(LogFormat.appender(" JSON ")).isEqualTo("JSON");
        assertThat(LogFormat.appender(null)).isEqualTo("TEXT");
        assertThat(LogFormat.appender("")).isEqualTo("TEXT");
        assertThat(LogFormat.appender("text")).isEqualTo("TEXT");
        assertThat(LogFormat.appender("xml")).as("a typo still logs, as text").isEqualTo("TEXT");
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheRequestId() throws Exception {
        String out = logWithBundledConfig("json", "hello {}", "json");
        String[] lines = out.strip().split("\n");
        assertThat(lines).hasSize(1);
        JsonNode line = Json.readTree(lines[0]);
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("loggerName").asText()).isEqualTo("speechbot.logging.test");
        assertThat(line.path("formattedMessage").asText()).isEqualTo("hello json");
        assertThat(line.path("mdc").path("request_id").asText()).isEqualTo("req-42");
        assertThat(line.path("timestamp").asLong()).isPositive();
    }

    @Test
    void textFormatIsTheDefaultAndShowsTheRequestId() throws Exception {
        String out = logWithBundledConfig(null, "hello {}", "text");
        assertThat(out).contains(" INFO ").contains("[req-42] - hello text").doesNotStartWith("{");
    }

    @Test
    void requestHandlingPutsTheRequestIdInTheMdc() throws Exception {
        TestServer server = TestServer.shared();
        Logger access = (Logger) LoggerFactory.getLogger("com.speechbot.server.access");
        Level before = access.getLevel();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        access.addAppender(events);
        access.setLevel(Level.INFO);
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(server.baseUrl() + "/v1/chats?token=secret-in-query"))
                    .header("X-Request-Id", "trace-me-123").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("X-Request-Id")).hasValue("trace-me-123");
            assertThat(r.body()).contains("\"request_id\":\"trace-me-123\"");
            long deadline = System.currentTimeMillis() + 5000;
            while (events.list.stream().noneMatch(e -> "trace-me-123".equals(e.getMDCPropertyMap().get("request_id")))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            ILoggingEvent e = events.list.stream()
                    .filter(x -> "trace-me-123".equals(x.getMDCPropertyMap().get("request_id"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no access log line with the request id: " + events.list));
            assertThat(e.getFormattedMessage()).startsWith("GET /v1/chats 401 ").doesNotContain("secret-in-query");
        } finally {
            access.detachAppender(events);
            access.setLevel(before);
        }
        assertThat(MDC.get("request_id")).as("nothing leaks into the test thread").isNull();
    }

    @Test
    void aLongStepReportsProgressUntilItEnds() throws Exception {
        Logger logger = new LoggerContext().getLogger("progress.test");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (Progress p = Progress.start(logger, "doing something slow", 50)) {
            Thread.sleep(260);
        }
        int reported = events.list.size();
        assertThat(reported).isGreaterThanOrEqualTo(2);
        assertThat(events.list.get(0).getFormattedMessage()).startsWith("still doing something slow (");
        Thread.sleep(150);
        assertThat(events.list).as("quiet after the step ended").hasSize(reported);
    }

    /** Configures a fresh logger context from the bundled logback.xml and returns what one log call printed. */
    private static String logWithBundledConfig(String format, String message, String arg) throws Exception {
        String old = System.getProperty(LogFormat.VARIABLE);
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        // share the MDC that org.slf4j.MDC writes to (the JVM's logback context owns it)
        context.setMDCAdapter(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter());
        try {
            if (format == null) {
                System.clearProperty(LogFormat.VARIABLE);
            } else {
                System.setProperty(LogFormat.VARIABLE, format);
            }
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LoggingTest.class.getClassLoader().getResource("logback.xml"));
            MDC.put("request_id", "req-42");
            context.getLogger("speechbot.logging.test").info(message, arg);
        } finally {
            MDC.remove("request_id");
            context.stop();
            System.setOut(stdout);
            if (old == null) {
                System.clearProperty(LogFormat.VARIABLE);
            } else {
                System.setProperty(LogFormat.VARIABLE, old);
            }
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

}
