package com.speechbot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.speechbot.protocol.codec.Json;
import com.speechbot.server.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The console's static files: content types, caching and validators, security headers, and no way out of the folder. */
class ConsoleResourceTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    private final TestServer server = TestServer.shared();

    @Test
    void servesThePageAtTheRootWithoutAToken() {
        HttpResponse<byte[]> r = get(server.baseUrl() + "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(header(r, "cache-control")).isEqualTo("no-cache");
        assertThat(header(r, "etag")).matches("\"[0-9a-f]{20}\"");
        assertThat(header(r, "content-security-policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(header(r, "x-frame-options")).isEqualTo("DENY");
        assertThat(header(r, "x-content-type-options")).isEqualTo("nosniff");
        String html = body(r);
        assertThat(html).contains("<title>SpeechBot console</title>").doesNotContain("__CONSOLE_VERSION__")
                .doesNotContain("__DEV_LOGIN__");
        // the test server has no configured secret: the page offers the dev login
        assertThat(html).contains("data-dev-login=\"true\"");
    }

    @Test
    void assetsHaveTheirContentTypesAndVersionedOnesAreImmutable() {
        String html = body(get(server.baseUrl() + "/"));
        Matcher m = Pattern.compile("console/console\\.js\\?v=([0-9a-f]+)").matcher(html);
        assertThat(m.find()).as("the page links its script with a version").isTrue();
        String version = m.group(1);

        HttpResponse<byte[]> js = get(server.baseUrl() + "/console/console.js?v=" + version);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(header(js, "content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(header(js, "cache-control")).isEqualTo("public, max-age=31536000, immutable");

        HttpResponse<byte[]> css = get(server.baseUrl() + "/console/console.css");
        assertThat(css.statusCode()).isEqualTo(200);
        assertThat(header(css, "content-type")).isEqualTo("text/css; charset=utf-8");
        assertThat(header(css, "cache-control")).as("an unversioned request is revalidated").isEqualTo("no-cache");

        HttpResponse<byte[]> stale = get(server.baseUrl() + "/console/console.css?v=0000");
        assertThat(header(stale, "cache-control")).as("an old version is not cached for a year").isEqualTo("no-cache");
    }

    @Test
    void answersNotModifiedToAMatchingEtag() {
        HttpResponse<byte[]> first = get(server.baseUrl() + "/console/console.js");
        String etag = header(first, "etag");
        HttpResponse<byte[]> again = get(server.baseUrl() + "/console/console.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(header(again, "etag")).isEqualTo(etag);
        HttpResponse<byte[]> changed = get(server.baseUrl() + "/console/console.js", "If-None-Match", "\"other\"");
        assertThat(changed.statusCode()).isEqualTo(200);
    }

    @Test
    void headAnswersHeadersOnly() throws Exception {
        HttpResponse<byte[]> head = CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/console/console.css"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(Long.parseLong(header(head, "content-length"))).isGreaterThan(100);
    }

    @Test
    void theIndexUnderConsoleRedirectsToThePage() {
        HttpResponse<byte[]> r = get(server.baseUrl() + "/console/index.html");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(header(r, "location")).isEqualTo("../");
    }

    @Test
    void nothingOutsideTheConsoleFolderIsServed() throws IOException {
        for (String path : new String[] {"/console/..%2Fapi%2Fopenapi.json", "/console/%2e%2e%2flogback.xml",
                "/console/../logback.xml", "/console/logback.xml", "/console/.hidden", "/console/", "/console",
                "/console/console.js%00.css", "/console/CONSOLE.JS", "/console/a/console.js", "/console/..",
                "/console/%2e%2e"}) {
            int status = rawStatus(path);
            assertThat(status).as("GET %s", path).isIn(400, 404);
        }
        HttpResponse<byte[]> missing = get(server.baseUrl() + "/console/nope.js");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.readTree(missing.body()).path("error").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void contentTypesByExtension() {
        assertThat(ConsoleResource.contentType("a.svg")).isEqualTo("image/svg+xml");
        assertThat(ConsoleResource.contentType("a.png")).isEqualTo("image/png");
        assertThat(ConsoleResource.contentType("a.json")).isEqualTo("application/json; charset=utf-8");
        assertThat(ConsoleResource.contentType("a.bin")).isEqualTo("application/octet-stream");
    }

    @Test
    void servesFilesFromAMapAndSubstitutesTheVersion() {
        ConsoleResource r = new ConsoleResource(Map.of(
                "index.html", "<script src=\"console/app.js?v=__CONSOLE_VERSION__\"></script>".getBytes(StandardCharsets.UTF_8),
                "app.js", "x".getBytes(StandardCharsets.UTF_8)), false);
        assertThat(r.version()).hasSize(12);
    }

    /** The status of a request sent byte for byte (no client normalising "..", "%2e" or the like). */
    private int rawStatus(String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    static HttpResponse<byte[]> get(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }
}
