package com.speechbot.server.http;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.error.ApiException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat console: the static files under {@code console/} in the jar, served without a token at {@code /} (the page)
 * and {@code /console/{file}} (its scripts and styles). Every file is read into memory once at start, so a request is
 * a map lookup: no file system access on the event loop and no path the client could steer outside the folder.
 * <p>
 * Caching: the page is {@code no-cache} (revalidated by ETag, so a new jar shows at once); it references its assets
 * with {@code ?v=<version>}, and an asset asked for with the current version is immutable for a year. Anything else
 * is revalidated.
 */
public final class ConsoleResource {

    private static final Logger log = LoggerFactory.getLogger(ConsoleResource.class);

    public static final String FOLDER = "console";
    static final String INDEX = "index.html";
    /** Replaced in the page by the assets' version, so cached scripts never outlive the page that loads them. */
    static final String VERSION_PLACEHOLDER = "__CONSOLE_VERSION__";
    /** Replaced in the page by whether {@code POST /v1/dev/token} works, so the page shows the dev login only then. */
    static final String DEV_LOGIN_PLACEHOLDER = "__DEV_LOGIN__";
    private static final Pattern FILE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9]+)+");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    /** The page may talk to its own origin only (REST and the WebSocket), and nothing may frame it. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Map<String, Asset> assets;
    private final String version;

    record Asset(byte[] bytes, String contentType, String etag) {}

    public ConsoleResource(boolean devLogin) {
        this(load(FOLDER), devLogin);
    }

    ConsoleResource(Map<String, byte[]> files, boolean devLogin) {
        String v = hash(files);
        this.version = v.substring(0, 12);
        Map<String, Asset> map = new TreeMap<>();
        files.forEach((name, bytes) -> {
            byte[] content = INDEX.equals(name)
                    ? new String(bytes, StandardCharsets.UTF_8).replace(VERSION_PLACEHOLDER, version)
                            .replace(DEV_LOGIN_PLACEHOLDER, Boolean.toString(devLogin)).getBytes(StandardCharsets.UTF_8)
                    : bytes;
            map.put(name, new Asset(content, contentType(name), "\"" + hash(Map.of(name, content)).substring(0, 20) + "\""));
        });
        this.assets = Map.copyOf(map);
        if (!assets.containsKey(INDEX)) {
            log.warn("the chat console is missing from the classpath ({}/{}); / will answer 404", FOLDER, INDEX);
        }
    }

    public void register(Router router) {
        router.addPublic(HttpMethod.GET, "/", rc -> CompletableFuture.completedFuture(page(rc)));
        router.addPublic(HttpMethod.GET, "/console/{file}", rc -> CompletableFuture.completedFuture(file(rc)));
    }

    /** The assets' version (a hash of every console file), as used in the page's {@code ?v=} links. */
    public String version() {
        return version;
    }

    private HttpResult page(RequestContext rc) {
        Asset index = assets.get(INDEX);
        if (index == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "The console is not part of this build");
        }
        return serve(rc, index, "no-cache")
                .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Referrer-Policy", "no-referrer");
    }

    private HttpResult file(RequestContext rc) {
        String name = rc.pathParam("file");
        if (INDEX.equals(name)) {
            // The page's links are relative to "/": served from here they would point into /console/console/.
            return new HttpResult(HttpResponseStatus.MOVED_PERMANENTLY, null, new byte[0], "text/plain; charset=utf-8", null)
                    .withHeader(HttpHeaderNames.LOCATION.toString(), "../")
                    .withHeader(HttpHeaderNames.CACHE_CONTROL.toString(), "no-cache");
        }
        Asset asset = FILE_NAME.matcher(name).matches() ? assets.get(name) : null;
        if (asset == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "No such console file: " + abbreviate(name));
        }
        boolean current = rc.query("v").map(version::equals).orElse(false);
        return serve(rc, asset, current ? "public, max-age=31536000, immutable" : "no-cache");
    }

    private static HttpResult serve(RequestContext rc, Asset asset, String cacheControl) {
        String ifNoneMatch = rc.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        boolean notModified = ifNoneMatch != null && matches(ifNoneMatch, asset.etag);
        HttpResult r = notModified
                ? new HttpResult(HttpResponseStatus.NOT_MODIFIED, null, new byte[0], asset.contentType, null)
                : HttpResult.bytes(asset.bytes, asset.contentType, null);
        return r.withHeader(HttpHeaderNames.ETAG.toString(), asset.etag)
                .withHeader(HttpHeaderNames.CACHE_CONTROL.toString(), cacheControl);
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(etag) || c.equals("*")) {
                return true;
            }
        }
        return false;
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    /** Every file directly in {@code folder} on the classpath, from a directory (IDE, tests) or from the jar. */
    static Map<String, byte[]> load(String folder) {
        URL probe = ConsoleResource.class.getClassLoader().getResource(folder + "/" + INDEX);
        Map<String, byte[]> files = new TreeMap<>();
        if (probe == null) {
            return files;
        }
        try {
            if ("file".equals(probe.getProtocol())) {
                Path dir = Path.of(probe.toURI()).getParent();
                try (var list = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) list::iterator) {
                        String name = p.getFileName().toString();
                        if (Files.isRegularFile(p) && FILE_NAME.matcher(name).matches()) {
                            files.put(name, Files.readAllBytes(p));
                        }
                    }
                }
            } else if ("jar".equals(probe.getProtocol())) {
                JarURLConnection conn = (JarURLConnection) probe.openConnection();
                conn.setUseCaches(false);
                try (JarFile jar = conn.getJarFile()) {
                    var entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry e = entries.nextElement();
                        String path = e.getName();
                        if (e.isDirectory() || !path.startsWith(folder + "/")) {
                            continue;
                        }
                        String name = path.substring(folder.length() + 1);
                        if (FILE_NAME.matcher(name).matches()) {
                            try (InputStream in = jar.getInputStream(e)) {
                                files.put(name, in.readAllBytes());
                            }
                        }
                    }
                }
            } else {
                log.warn("cannot list console files from {}", probe);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console files", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot read the console files", e);
        }
        return files;
    }

    private static String hash(Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(files).forEach((name, bytes) -> {
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(bytes);
            });
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
