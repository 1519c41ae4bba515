package com.speechbot.server.bot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.codec.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local OpenAI-compatible Chat Completions endpoint for tests: {@code POST /v1/chat/completions} answers with
 * server-sent events written by the current {@link Script}. It records every request body.
 */
final class FakeOpenAi implements AutoCloseable {

    static final String MODEL = "fake-gpt";

    /** What the endpoint does with one request. */
    @FunctionalInterface
    interface Script {
        void answer(Sse sse) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-openai");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch closing = new CountDownLatch(1);
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** Set when the client went away while a script was writing (e.g. after a cancel). */
    volatile CountDownLatch clientGone = new CountDownLatch(1);
    private volatile Script script = tokens(List.of("Hello", " world"), true, 0);

    FakeOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Sets what the endpoint does next, and re-arms {@link #clientGone}. */
    void script(Script s) {
        clientGone = new CountDownLatch(1);
        script = s;
    }

    /** Closes the exchange only when the script returns normally: a script that throws drops the connection. */
    private void handle(HttpExchange ex) throws IOException {
        try {
            JsonNode body = Json.readTree(ex.getRequestBody().readAllBytes());
            requests.add(body);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            script.answer(new Sse(ex));
            ex.close();
        } catch (IOException e) {
            clientGone.countDown();
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** The writer a script uses. */
    final class Sse {
        private final HttpExchange ex;
        private OutputStream out;

        Sse(HttpExchange ex) {
            this.ex = ex;
        }

        void start() throws IOException {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            out = ex.getResponseBody();
        }

        void status(int code, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(code, b.length);
            ex.getResponseBody().write(b);
        }

        void data(String json) throws IOException {
            out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void token(String text) throws IOException {
            ObjectNode chunk = chunk();
            chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                    .put("content", text);
            data(Json.writeString(chunk));
        }

        void finishReason(String reason) throws IOException {
            ObjectNode chunk = chunk();
            chunk.putArray("choices").addObject().put("index", 0).put("finish_reason", reason).putObject("delta");
            data(Json.writeString(chunk));
        }

        void usage(int prompt, int completion) throws IOException {
            ObjectNode chunk = chunk();
            chunk.putArray("choices");
            chunk.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                    .put("total_tokens", prompt + completion);
            data(Json.writeString(chunk));
        }

        void done() throws IOException {
            data("[DONE]");
        }

        /** Blocks until the fake server closes (a backend that stalls). */
        void stall() throws InterruptedException {
            closing.await(30, TimeUnit.SECONDS);
        }

        /** Ends the exchange abruptly: the handler throws, so the server drops the connection mid-body. */
        void abort() {
            throw new IllegalStateException("fake backend drops the connection");
        }

        private ObjectNode chunk() {
            ObjectNode chunk = Json.object();
            chunk.put("id", "chatcmpl-fake");
            chunk.put("object", "chat.completion.chunk");
            chunk.put("model", MODEL);
            return chunk;
        }
    }

    /** A normal stream: {@code tokens} (each after {@code delayMs}), stop, optional usage 11/len, [DONE]. */
    static Script tokens(List<String> tokens, boolean usage, long delayMs) {
        return sse -> {
            sse.start();
            for (String t : tokens) {
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
                sse.token(t);
            }
            sse.finishReason("stop");
            if (usage) {
                sse.usage(11, tokens.size());
            }
            sse.done();
        };
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
