package com.speechbot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtSecretsTest {

    @TempDir
    Path tmp;

    @Test
    void generatedOnceAndStableAcrossCalls() throws Exception {
        Path dataDir = tmp.resolve("data/nested"); // must be created on demand

        JwtSecrets.Secret first = JwtSecrets.loadOrCreate(dataDir, null);
        JwtSecrets.Secret second = JwtSecrets.loadOrCreate(dataDir, "");
        JwtSecrets.Secret third = JwtSecrets.loadOrCreate(dataDir, "   ");

        assertThat(first.generated()).isTrue();
        assertThat(second.generated()).isFalse();
        assertThat(third.generated()).isFalse();
        assertThat(first.bytes()).hasSize(32).isEqualTo(second.bytes()).isEqualTo(third.bytes());

        Path file = dataDir.resolve(JwtSecrets.FILE_NAME);
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).isEqualTo(first.bytes());
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files).containsExactly(file); // no temp file left behind
        }

        // The point of keeping it: a token minted before a restart still verifies after it.
        String token = new TokenService(first.bytes(), null, null).mint("u", Duration.ofMinutes(1));
        assertThat(new TokenService(second.bytes(), null, null).verify(token).userId()).isEqualTo("u");
    }

    @Test
    void differentDataDirsGetDifferentSecrets() {
        byte[] a = JwtSecrets.loadOrCreate(tmp.resolve("a"), null).bytes();
        byte[] b = JwtSecrets.loadOrCreate(tmp.resolve("b"), null).bytes();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void fileIsOwnerReadWriteOnly() throws Exception {
        assumeTrue(tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file system");
        JwtSecrets.loadOrCreate(tmp, null);
        Path file = tmp.resolve(JwtSecrets.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void configuredSecretIsUsedAsUtf8AndNoFileIsWritten() {
        String configured = "a-configured-secret-that-is-long-enough!";
        JwtSecrets.Secret s = JwtSecrets.loadOrCreate(tmp, configured);
        assertThat(s.generated()).isFalse();
        assertThat(s.bytes()).isEqualTo(configured.getBytes(StandardCharsets.UTF_8));
        assertThat(tmp.resolve(JwtSecrets.FILE_NAME)).doesNotExist();
    }

    @Test
    void configuredShortSecretIsRejected() {
        assertThatThrownBy(() -> JwtSecrets.loadOrCreate(tmp, "changeme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8 bytes")
                .hasMessageContaining("at least 32");
        assertThat(tmp.resolve(JwtSecrets.FILE_NAME)).doesNotExist();
    }

    @Test
    void corruptOrShortFileIsRefusedNotRegenerated() throws Exception {
        Path file = tmp.resolve(JwtSecrets.FILE_NAME);
        Files.writeString(file, "not base64 !!!");
        assertThatThrownBy(() -> JwtSecrets.loadOrCreate(tmp, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("base64");

        Files.writeString(file, Base64.getEncoder().encodeToString(new byte[16]));
        assertThatThrownBy(() -> JwtSecrets.loadOrCreate(tmp, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("16 bytes");
        assertThat(Files.readString(file)).isEqualTo(Base64.getEncoder().encodeToString(new byte[16]));
    }

    @Test
    void secretDoesNotLeakThroughToStringOrSharedArrays() {
        JwtSecrets.Secret s = JwtSecrets.loadOrCreate(tmp, null);
        assertThat(s.toString()).doesNotContain(Base64.getEncoder().encodeToString(s.bytes())).contains("32 bytes");

        byte[] copy = s.bytes();
        copy[0] ^= 1;
        assertThat(s.bytes()[0]).isNotEqualTo(copy[0]);
    }
}
