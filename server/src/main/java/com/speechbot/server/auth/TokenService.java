package com.speechbot.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Verifies bearer JWTs (HS256 always, RS256 when a public key is configured) and mints HS256 ones; immutable and thread-safe. */
public final class TokenService {

    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(5);

    /** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
    public static final int MIN_HMAC_SECRET_BYTES = 32;

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);

    // Real tokens are a few hundred bytes; refusing huge ones early keeps base64/JSON parsing of hostile input cheap.
    private static final int MAX_TOKEN_CHARS = 8192;
    private static final int MIN_RSA_BITS = 2048;
    private static final String PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String PEM_END = "-----END PUBLIC KEY-----";

    private final Algorithm hmac;
    private final JWTVerifier hmacVerifier;
    private final JWTVerifier rsaVerifier; // null: RS256 not accepted
    private final String issuer;
    private final Clock clock;

    /**
     * @param hmacSecret      HS256 key, at least {@value #MIN_HMAC_SECRET_BYTES} bytes
     * @param rsaPublicKeyPem X.509 SubjectPublicKeyInfo PEM enabling RS256 verification, or null/blank for none
     * @param issuer          required {@code iss} of accepted tokens and the one minted tokens carry, or null for none
     * @param clock           time source for {@code exp}/{@code iat}/{@code nbf}
     * @param leeway          clock skew tolerated on time claims, whole seconds
     */
    public TokenService(byte[] hmacSecret, String rsaPublicKeyPem, String issuer, Clock clock, Duration leeway) {
        Objects.requireNonNull(hmacSecret, "hmacSecret");
        if (hmacSecret.length < MIN_HMAC_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "JWT HMAC secret must be at least " + MIN_HMAC_SECRET_BYTES + " bytes, got " + hmacSecret.length);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(leeway, "leeway");
        if (leeway.isNegative()) {
            throw new IllegalArgumentException("leeway must not be negative: " + leeway);
        }
        if (issuer != null && issuer.isBlank()) {
            throw new IllegalArgumentException("issuer must be null or non-blank");
        }
        this.issuer = issuer;
        this.hmac = Algorithm.HMAC256(hmacSecret); // copies the array, so the caller may wipe theirs
        this.hmacVerifier = verifier(hmac, issuer, clock, leeway);
        this.rsaVerifier = rsaPublicKeyPem == null || rsaPublicKeyPem.isBlank()
                ? null
                : verifier(Algorithm.RSA256(parseRsaPublicKey(rsaPublicKeyPem), null), issuer, clock, leeway);
    }

    /** A service on the system UTC clock with {@link #DEFAULT_LEEWAY}. */
    public TokenService(byte[] hmacSecret, String rsaPublicKeyPem, String issuer) {
        this(hmacSecret, rsaPublicKeyPem, issuer, Clock.systemUTC(), DEFAULT_LEEWAY);
    }

    private static JWTVerifier verifier(Algorithm algorithm, String issuer, Clock clock, Duration leeway) {
        Verification v = JWT.require(algorithm).acceptLeeway(leeway.toSeconds());
        if (issuer != null) {
            v = v.withIssuer(issuer);
        }
        // build(Clock) is only on the concrete builder; the library offers no other way to inject time.
        return ((JWTVerifier.BaseVerification) v).build(clock);
    }

    /** The user a bearer token authenticates; throws {@link AuthException} with a client-safe code otherwise. */
    public AuthenticatedUser verify(String token) throws AuthException {
        if (token == null || token.isBlank()) {
            throw AuthException.authRequired();
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw AuthException.invalidToken();
        }
        DecodedJWT jwt;
        try {
            DecodedJWT decoded = JWT.decode(token);
            // Choosing by header is safe only because each verifier also pins its own algorithm;
            // everything not listed (none, HS512, lowercase variants, ...) is refused outright.
            JWTVerifier verifier = switch (String.valueOf(decoded.getAlgorithm())) {
                case "HS256" -> hmacVerifier;
                case "RS256" -> rsaVerifier;
                default -> null;
            };
            if (verifier == null) {
                log.debug("Rejected token: unsupported alg {}", decoded.getAlgorithm());
                throw AuthException.invalidToken();
            }
            jwt = verifier.verify(decoded);
        } catch (TokenExpiredException e) {
            throw AuthException.tokenExpired();
        } catch (JWTVerificationException | IllegalArgumentException e) {
            // Library messages can echo claim values; operators get them at debug, clients only the code.
            log.debug("Rejected token: {}", e.getMessage());
            throw AuthException.invalidToken();
        }
        String sub = jwt.getSubject();
        Instant exp = jwt.getExpiresAtAsInstant();
        // Without exp a leaked token would be valid forever; without sub it names nobody.
        if (sub == null || sub.isBlank() || exp == null) {
            log.debug("Rejected token: missing sub or exp");
            throw AuthException.invalidToken();
        }
        return new AuthenticatedUser(sub, exp);
    }

    /** An HS256 token for {@code userId} with {@code iat} now and {@code exp} after {@code ttl} (and {@code iss} if configured). */
    public String mint(String userId, Duration ttl) {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("userId must be non-blank");
        }
        Objects.requireNonNull(ttl, "ttl");
        // NumericDate claims have whole-second resolution, so a shorter ttl would yield exp == iat.
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("ttl must be at least 1 second: " + ttl);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JWTCreator.Builder b = JWT.create()
                .withSubject(userId)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl));
        if (issuer != null) {
            b.withIssuer(issuer);
        }
        return b.sign(hmac);
    }

    /** The token of an {@code Authorization: Bearer <token>} header value (scheme case-insensitive), or empty. */
    public static Optional<String> bearer(String authorizationHeader) {
        if (authorizationHeader == null) {
            return Optional.empty();
        }
        String h = authorizationHeader.strip();
        String scheme = "Bearer";
        if (h.length() <= scheme.length()
                || !h.regionMatches(true, 0, scheme, 0, scheme.length())
                || !Character.isWhitespace(h.charAt(scheme.length()))) {
            return Optional.empty();
        }
        String token = h.substring(scheme.length()).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    private static RSAPublicKey parseRsaPublicKey(String pem) {
        String text = pem.strip();
        if (!text.startsWith(PEM_BEGIN) || !text.endsWith(PEM_END)) {
            // PKCS#1 "BEGIN RSA PUBLIC KEY" is the usual mix-up; name the expected form so the fix is obvious.
            throw new IllegalArgumentException("RSA public key must be PEM '" + PEM_BEGIN
                    + "' (X.509 SubjectPublicKeyInfo, e.g. `openssl rsa -pubout`)");
        }
        String body = text.substring(PEM_BEGIN.length(), text.length() - PEM_END.length());
        RSAPublicKey rsa;
        try {
            byte[] der = Base64.getMimeDecoder().decode(body);
            rsa = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("RSA public key PEM is not a valid X.509 RSA public key", e);
        }
        if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException("RSA public key must be at least " + MIN_RSA_BITS
                    + " bits, got " + rsa.getModulus().bitLength());
        }
        return rsa;
    }
}
