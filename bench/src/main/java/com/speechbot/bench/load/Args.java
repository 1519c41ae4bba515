package com.speechbot.bench.load;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A minimal {@code --key value} / {@code --key=value} / {@code --flag} parser. Unknown or repeated options are
 * errors, so a typo never silently falls back to a default in a benchmark run.
 */
final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    /** @param flags the option names that take no value */
    Args(String[] argv, Set<String> flags) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("Unexpected argument '" + a + "' (options look like --name value)");
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (flags.contains(name)) {
                    value = "true";
                } else {
                    if (i + 1 >= argv.length) {
                        throw new UsageException("Option --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
            }
            if (values.put(name, value) != null) {
                throw new UsageException("Option --" + name + " given twice");
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String def) {
        used.add(name);
        return values.getOrDefault(name, def);
    }

    boolean flag(String name) {
        String v = string(name, "false");
        if (!v.equals("true") && !v.equals("false")) {
            throw new UsageException("--" + name + " is a flag (true/false), got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    int integer(String name, int def, int min, int max) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.strip().replace("_", ""));
            if (n < min || n > max) {
                throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    double decimal(String name, double def, double min, double max) {
        String v = string(name, null);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v.strip());
            if (!(d >= min && d <= max)) {
                throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /** Fails on options nobody asked for (typos, options of another scenario are fine only if read). */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new UsageException("Unknown option --" + name + " (see --help)");
            }
        }
    }

    /** A command-line mistake: printed with the usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
