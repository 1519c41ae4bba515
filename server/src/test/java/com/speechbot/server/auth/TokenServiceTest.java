package com.speechbot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenServiceTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210-test".getBytes(StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private static KeyPair rsa;
    private static String rsaPem;

    private final MutableClock clock = new MutableClock(T0);

    @BeforeAll
    static void rsaKeys() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        rsa = gen.generateKeyPair();
        rsaPem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private TokenService service() {
        return new TokenService(SECRET, null, null, clock, Duration.ofSeconds(5));
    }

    private TokenService service(String pem, String issuer) {
        return new TokenService(SECRET, pem, issuer, clock, Duration.ofSeconds(5));
    }

    private static String b64url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertCode(Runnable r, String code) {
        assertThatThrownBy(r::run)
                .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void mintedTokenVerifies() {
        TokenService s = service();
        String token = s.mint("user-42", Duration.ofMinutes(10));

        AuthenticatedUser user = s.verify(token);

        assertThat(user.userId()).isEqualTo("user-42");
        assertThat(user.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(JWT.decode(token).getIssuedAtAsInstant()).isEqualTo(T0);
        assertThat(JWT.decode(token).getIssuer()).isNull();
    }

    @Test
    void expiredTokenIsTokenExpiredButLeewayIsHonoured() {
        TokenService s = service();
        String token = s.mint("u", Duration.ofSeconds(60));

        clock.set(T0.plusSeconds(63));
        assertThat(s.verify(token).userId()).isEqualTo("u");

        clock.set(T0.plusSeconds(66));
        assertCode(() -> s.verify(token), AuthException.TOKEN_EXPIRED);
    }

    @Test
    void expiredTokenWithBadSignatureIsInvalidNotExpired() {
        String token = new TokenService(OTHER_SECRET, null, null, clock, Duration.ZERO).mint("u", Duration.ofSeconds(1));
        clock.set(T0.plusSeconds(3600));
        assertCode(() -> service().verify(token), AuthException.INVALID_TOKEN);
    }

    @Test
    void wrongSecretIsInvalid() {
        String token = new TokenService(OTHER_SECRET, null, null, clock, Duration.ZERO).mint("u", Duration.ofMinutes(1));
        assertCode(() -> service().verify(token), AuthException.INVALID_TOKEN);
    }

    @Test
    void algNoneIsInvalid() {
        String payload = b64url("{\"sub\":\"admin\",\"exp\":" + T0.plusSeconds(600).getEpochSecond() + "}");
        String none = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".";
        String noneUpper = b64url("{\"alg\":\"None\"}") + "." + payload + ".";
        String noAlg = b64url("{\"typ\":\"JWT\"}") + "." + payload + ".";

        for (String t : new String[] {none, noneUpper, noAlg}) {
            assertCode(() -> service().verify(t), AuthException.INVALID_TOKEN);
            assertCode(() -> service(rsaPem, null).verify(t), AuthException.INVALID_TOKEN);
        }
    }

    @Test
    void otherHmacAlgorithmsAreInvalid() {
        String token = JWT.create().withSubject("u").withExpiresAt(T0.plusSeconds(60)).sign(Algorithm.HMAC512(SECRET));
        assertCode(() -> service().verify(token), AuthException.INVALID_TOKEN);
    }

    @Test
    void malformedTokensAreInvalidAndBlankIsAuthRequired() {
        TokenService s = service();
        for (String t : new String[] {"garbage", "a.b", "a.b.c", "..", "a.b.c.d", "Bearer x.y.z", "%%%.###.$$$",
                b64url("{\"alg\":\"HS256\"}") + ".not-json.sig", "x".repeat(20_000)}) {
            assertCode(() -> s.verify(t), AuthException.INVALID_TOKEN);
        }
        for (String t : new String[] {null, "", "   ", "\t\n"}) {
            assertCode(() -> s.verify(t), AuthException.AUTH_REQUIRED);
        }
    }

    @Test
    void randomInputNeverEscapesAsAnotherException() {
        TokenService s = service();
        Random rnd = new Random(7);
        String alphabet = "abcXYZ019-_.=+/ {}\":";
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(80);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String t = sb.toString();
            assertThatThrownBy(() -> s.verify(t)).isInstanceOf(AuthException.class);
        }
    }

    @Test
    void missingOrBlankSubIsInvalid() {
        Algorithm hs = Algorithm.HMAC256(SECRET);
        String noSub = JWT.create().withExpiresAt(T0.plusSeconds(60)).sign(hs);
        String blankSub = JWT.create().withSubject("  ").withExpiresAt(T0.plusSeconds(60)).sign(hs);
        assertCode(() -> service().verify(noSub), AuthException.INVALID_TOKEN);
        assertCode(() -> service().verify(blankSub), AuthException.INVALID_TOKEN);
    }

    @Test
    void missingExpIsInvalid() {
        String noExp = JWT.create().withSubject("u").sign(Algorithm.HMAC256(SECRET));
        assertCode(() -> service().verify(noExp), AuthException.INVALID_TOKEN);
    }

    @Test
    void issuerIsMintedAndRequired() {
        TokenService withIss = service(null, "speechbot");
        String token = withIss.mint("u", Duration.ofMinutes(1));
        assertThat(JWT.decode(token).getIssuer()).isEqualTo("speechbot");
        assertThat(withIss.verify(token).userId()).isEqualTo("u");

        String noIss = service().mint("u", Duration.ofMinutes(1));
        String otherIss = service(null, "someone-else").mint("u", Duration.ofMinutes(1));
        assertCode(() -> withIss.verify(noIss), AuthException.INVALID_TOKEN);
        assertCode(() -> withIss.verify(otherIss), AuthException.INVALID_TOKEN);
    }

    @Test
    void rs256VerifiesOnlyWhenPublicKeyConfigured() {
        String token = JWT.create()
                .withSubject("rsa-user")
                .withExpiresAt(T0.plusSeconds(300))
                .sign(Algorithm.RSA256((RSAPublicKey) rsa.getPublic(), (RSAPrivateKey) rsa.getPrivate()));

        AuthenticatedUser user = service(rsaPem, null).verify(token);
        assertThat(user.userId()).isEqualTo("rsa-user");
        assertThat(user.expiresAt()).isEqualTo(T0.plusSeconds(300));

        assertCode(() -> service().verify(token), AuthException.INVALID_TOKEN);
    }

    @Test
    void rs256SignedByAnotherKeyIsInvalid() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair other = gen.generateKeyPair();
        String token = JWT.create().withSubject("u").withExpiresAt(T0.plusSeconds(300))
                .sign(Algorithm.RSA256(null, (RSAPrivateKey) other.getPrivate()));
        assertCode(() -> service(rsaPem, null).verify(token), AuthException.INVALID_TOKEN);
    }

    @Test
    void hs256TokenRelabelledAsRs256IsInvalid() {
        String hs = service().mint("u", Duration.ofMinutes(1));
        String[] parts = hs.split("\\.");
        String relabelled = b64url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];

        assertCode(() -> service().verify(relabelled), AuthException.INVALID_TOKEN);
        assertCode(() -> service(rsaPem, null).verify(relabelled), AuthException.INVALID_TOKEN);
    }

    @Test
    void hs256SignedWithThePublicKeyIsInvalid() {
        // The classic key-confusion attack: the public key is no secret, so it must never work as an HMAC key.
        String forged = JWT.create().withSubject("admin").withExpiresAt(T0.plusSeconds(300))
                .sign(Algorithm.HMAC256(rsaPem.getBytes(StandardCharsets.US_ASCII)));
        assertCode(() -> service(rsaPem, null).verify(forged), AuthException.INVALID_TOKEN);
    }

    @Test
    void authExceptionCarriesNoStackTraceAndNoDetails() {
        assertThatThrownBy(() -> service().verify("garbage"))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.getStackTrace()).isEmpty();
                    assertThat(e.getMessage()).isEqualTo("Invalid token");
                    assertThat(e.getCause()).isNull();
                });
    }

    @Test
    void constructorRejectsBadConfiguration() {
        assertThatThrownBy(() -> new TokenService(new byte[31], null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32");
        assertThatThrownBy(() -> new TokenService(SECRET, "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN PUBLIC KEY");
        assertThatThrownBy(() -> new TokenService(SECRET, "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenService(SECRET, null, " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TokenService(SECRET, "  ", null)).isNotNull(); // blank PEM means "no RSA"
    }

    @Test
    void mintRejectsBadArguments() {
        TokenService s = service();
        assertThatThrownBy(() -> s.mint(" ", Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.mint("u", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.mint("u", Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bearerParsing() {
        assertThat(TokenService.bearer("Bearer abc.def.ghi")).contains("abc.def.ghi");
        assertThat(TokenService.bearer("bearer abc")).contains("abc");
        assertThat(TokenService.bearer("BEARER   abc  ")).contains("abc");
        assertThat(TokenService.bearer("  Bearer\tabc")).contains("abc");

        assertThat(TokenService.bearer(null)).isEqualTo(Optional.empty());
        assertThat(TokenService.bearer("")).isEmpty();
        assertThat(TokenService.bearer("Bearer")).isEmpty();
        assertThat(TokenService.bearer("Bearer   ")).isEmpty();
        assertThat(TokenService.bearer("Bearerabc")).isEmpty();
        assertThat(TokenService.bearer("Basic dXNlcjpwYXNz")).isEmpty();
        assertThat(TokenService.bearer("abc.def.ghi")).isEmpty();
    }

    /** A clock the test moves by hand, so expiry is checked without sleeping. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
