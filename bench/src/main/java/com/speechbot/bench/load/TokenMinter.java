package com.speechbot.bench.load;

import com.speechbot.server.auth.TokenService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * Bearer tokens for the simulated users, minted locally with the server's own {@link TokenService}: for our server
 * with its HS256 secret (the generated {@code <data_dir>/jwt-secret}, or {@code SPEECHBOT_JWT_SECRET}); for the
 * ws-node peer with a throwaway key (it only decodes {@code sub}).
 */
final class TokenMinter {

    private static final Duration TTL = Duration.ofHours(2);

    private final TokenService tokens;
    final String source;

    private TokenMinter(TokenService tokens, String source) {
        this.tokens = tokens;
        this.source = source;
    }

    static TokenMinter forTarget(Options o) {
        if (o.target != Target.SPEECHBOT) {
            byte[] throwaway = new byte[32];
            new SecureRandom().nextBytes(throwaway);
            return new TokenMinter(new TokenService(throwaway, null, null), "unverified (ws-node)");
        }
        if (o.secretFile != null) {
            return new TokenMinter(new TokenService(readSecretFile(o.secretFile), null, o.issuer), "secret file " + o.secretFile);
        }
        String env = System.getenv("SPEECHBOT_JWT_SECRET");
        if (env != null && !env.isBlank()) {
            return new TokenMinter(new TokenService(env.getBytes(StandardCharsets.UTF_8), null, o.issuer), "SPEECHBOT_JWT_SECRET");
        }
        throw new Args.UsageException("--target speechbot needs --secret-file <data_dir>/jwt-secret "
                + "(or SPEECHBOT_JWT_SECRET set as for the server) to mint tokens");
    }

    /** The server's format: base64 of the raw key, one line (see JwtSecrets). */
    private static byte[] readSecretFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            byte[] key = Base64.getDecoder().decode(text);
            if (key.length < TokenService.MIN_HMAC_SECRET_BYTES) {
                throw new Args.UsageException(file + " holds a " + key.length + "-byte key; HS256 needs at least 32");
            }
            return key;
        } catch (IOException e) {
            throw new Args.UsageException("cannot read --secret-file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--secret-file " + file + " is not base64 (is it the server's jwt-secret?)");
        }
    }

    String mint(String userId) {
        return tokens.mint(userId, TTL);
    }
}
