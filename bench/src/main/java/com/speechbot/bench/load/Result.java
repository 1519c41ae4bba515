package com.speechbot.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The run's figures: human lines for the summary and one JSON object for the {@code RESULT} line. */
final class Result {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> lines = new ArrayList<>();

    void put(String key, Object value) {
        json.put(key, value);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> section(String name) {
        return (Map<String, Object>) json.computeIfAbsent(name, k -> new LinkedHashMap<String, Object>());
    }

    void line(String format, Object... args) {
        lines.add(String.format(Locale.ROOT, format, args));
    }

    void print(PrintStream out) {
        out.println();
        for (String l : lines) {
            out.println(l);
        }
        try {
            out.println("RESULT " + JSON.writeValueAsString(json));
        } catch (JsonProcessingException e) {
            out.println("RESULT {\"error\":\"cannot serialize result: " + e.getMessage().replace('"', '\'') + "\"}");
        }
        out.flush();
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
