package com.speechbot.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Supplies the HS256 secret: the configured one, or a random one generated once and kept in the data folder. */
public final class JwtSecrets {

    /** Name of the secret file inside the data folder. */
    public static final String FILE_NAME = "jwt-secret";

    private static final int GENERATED_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Logger log = LoggerFactory.getLogger(JwtSecrets.class);

    // Two servers in one JVM (tests, embedded use) must not both generate and race on the same file.
    private static final Object LOCK = new Object();

    private JwtSecrets() {}

    /**
     * An HS256 secret and whether this call generated it, i.e. wrote a fresh {@value #FILE_NAME} (first start).
     * The array is copied in and out so callers cannot change each other's key.
     */
    public record Secret(byte[] bytes, boolean generated) {

        public Secret {
            bytes = Objects.requireNonNull(bytes, "bytes").clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        // The default record toString would be harmless today, but key material must never reach a log by accident.
        @Override
        public String toString() {
            return "Secret[" + bytes.length + " bytes, generated=" + generated + "]";
        }
    }

    /**
     * The configured secret's UTF-8 bytes when {@code configuredSecretOrNull} is non-blank (at least 32 bytes, else
     * {@link IllegalArgumentException}); otherwise the base64 secret in {@code dataDir/jwt-secret}, created on first use.
     */
    public static Secret loadOrCreate(Path dataDir, String configuredSecretOrNull) {
        if (configuredSecretOrNull != null && !configuredSecretOrNull.isBlank()) {
            byte[] bytes = configuredSecretOrNull.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < TokenService.MIN_HMAC_SECRET_BYTES) {
                throw new IllegalArgumentException("Configured JWT secret is " + bytes.length
                        + " bytes; HS256 needs at least " + TokenService.MIN_HMAC_SECRET_BYTES
                        + " (generate one with `openssl rand -base64 48`), or leave it unset to use a generated one");
            }
            return new Secret(bytes, false);
        }
        Objects.requireNonNull(dataDir, "dataDir");
        Path file = dataDir.resolve(FILE_NAME);
        synchronized (LOCK) {
            try {
                if (Files.exists(file)) {
                    return new Secret(read(file), false);
                }
                Files.createDirectories(dataDir);
                byte[] bytes = new byte[GENERATED_BYTES];
                new SecureRandom().nextBytes(bytes);
                writeAtomically(file, Base64.getEncoder().encodeToString(bytes) + "\n");
                log.info("Generated a new JWT secret in {}", file);
                return new Secret(bytes, true);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read or create JWT secret " + file, e);
            }
        }
    }

    private static byte[] read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("JWT secret file " + file + " is not base64; fix or delete it", e);
        }
        // Regenerating silently would log every user out and hide whatever damaged the file, so refuse instead.
        if (bytes.length < TokenService.MIN_HMAC_SECRET_BYTES) {
            throw new IllegalStateException("JWT secret file " + file + " holds " + bytes.length
                    + " bytes, need at least " + TokenService.MIN_HMAC_SECRET_BYTES + "; fix or delete it");
        }
        if (supportsPosix(file)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                log.warn("JWT secret file {} is readable by others ({}); chmod 600 it",
                        file, PosixFilePermissions.toString(perms));
            }
        }
        return bytes;
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.getParent();
        // Owner-only from creation, so the secret is never world-readable even for an instant.
        FileAttribute<?>[] attrs = supportsPosix(dir)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, "." + FILE_NAME + "-", ".tmp", attrs);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
                // A crash after the rename but before the data hits disk would leave an empty secret behind.
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
