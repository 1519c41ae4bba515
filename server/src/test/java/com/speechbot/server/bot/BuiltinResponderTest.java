package com.speechbot.server.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The offline responder: deterministic answers, the commands, and a token stream that adds up to the answer. */
class BuiltinResponderTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static BotRequest request(String... contents) {
        List<BotRequest.Turn> turns = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            turns.add(new BotRequest.Turn(i % 2 == contents.length % 2 ? "assistant" : "user", contents[i]));
        }
        return new BotRequest("chat_1", "msg_1_1", turns, "speechbot-builtin-1", 0.7, 2048);
    }

    @Test
    void sameInputSameAnswer() {
        String a = BuiltinResponder.answer("What is the capital of France?", 2);
        String b = BuiltinResponder.answer("What is the capital of France?", 2);
        assertThat(a).isEqualTo(b);
        assertThat(a).contains("> What is the capital of France?")
                .contains("It has 6 words and 30 characters.")
                .contains("*capital*")
                .contains("It is a question.")
                .contains("This conversation had 2 earlier messages.");
        assertThat(BuiltinResponder.answer("Hello there", 1)).contains("It is a statement.")
                .contains("had 1 earlier message.");
        assertThat(BuiltinResponder.answer("Hello there", 0)).isNotEqualTo(a);
    }

    @Test
    void commands() {
        assertThat(BuiltinResponder.answer("/echo  hello   world ", 0)).isEqualTo("hello   world");
        assertThat(BuiltinResponder.answer("/upper hello", 0)).isEqualTo("HELLO");
        assertThat(BuiltinResponder.answer("/reverse abc", 0)).isEqualTo("cba");
        assertThat(BuiltinResponder.answer("/count one two three", 0))
                .isEqualTo("Your text has **3** words and **13** characters.");
        assertThat(BuiltinResponder.answer("/help", 0)).contains("`/echo TEXT`").contains("`/count TEXT`");
        assertThat(BuiltinResponder.answer("/HELP me", 0)).startsWith("**SpeechBot builtin commands**");
        assertThat(BuiltinResponder.answer("/echo", 0)).isEmpty();
    }

    @Test
    void longPromptsAreQuotedAbbreviated() {
        String prompt = "word ".repeat(100).strip();
        String answer = BuiltinResponder.answer(prompt, 0);
        assertThat(answer).contains(prompt.substring(0, 200) + "…").doesNotContain(prompt);
    }

    @Test
    void tokensConcatenateToTheAnswer() {
        for (String prompt : List.of("What is the capital of France?", "/help", "/echo  a  b\n c ", "multi\nline\n\ntext",
                "  leading and trailing  ", "x")) {
            String answer = BuiltinResponder.answer(prompt, 3);
            List<String> tokens = BuiltinResponder.tokens(answer);
            assertThat(String.join("", tokens)).as(prompt).isEqualTo(answer);
            assertThat(tokens).allMatch(t -> !t.isBlank());
        }
    }

    @Test
    void pacedStreamEmitsEveryTokenThenCompletesWithUsage() throws Exception {
        BuiltinResponder responder = new BuiltinResponder(2, "speechbot-builtin-1");
        RecordingSink r = new RecordingSink();
        BotRequest req = request("earlier question", "earlier answer", "What is the capital of France?");
        responder.generate(req, r, scheduler);
        r.done.get(5, TimeUnit.SECONDS);

        String expected = BuiltinResponder.answer("What is the capital of France?", 2);
        assertThat(r.text()).isEqualTo(expected);
        assertThat(r.tokens).hasSize(BuiltinResponder.tokens(expected).size());
        assertThat(r.failure).isNull();
        assertThat(r.model).isEqualTo("speechbot-builtin-1");
        assertThat(r.usage.completion()).isEqualTo(r.tokens.size());
        assertThat(r.usage.prompt()).isEqualTo(Usage.estimateTokens("earlier question")
                + Usage.estimateTokens("earlier answer") + Usage.estimateTokens("What is the capital of France?"));
        assertThat(r.usage.total()).isEqualTo(r.usage.prompt() + r.usage.completion());
        assertThat(responder.model()).isEqualTo("speechbot-builtin-1");
    }

    @Test
    void unpacedStreamIsTheSameAnswer() throws Exception {
        RecordingSink paced = new RecordingSink();
        RecordingSink unpaced = new RecordingSink();
        BotRequest req = request("/echo " + "w ".repeat(100));
        new BuiltinResponder(1, "m").generate(req, paced, scheduler);
        new BuiltinResponder(0, "m").generate(req, unpaced, scheduler);
        paced.done.get(5, TimeUnit.SECONDS);
        unpaced.done.get(5, TimeUnit.SECONDS);
        assertThat(unpaced.tokens).isEqualTo(paced.tokens).hasSize(100);
        assertThat(unpaced.text()).isEqualTo(BuiltinResponder.answer("/echo " + "w ".repeat(100), 0));
    }

    @Test
    void emptyAnswerCompletesWithoutTokens() throws Exception {
        RecordingSink r = new RecordingSink();
        new BuiltinResponder(1, "m").generate(request("/echo"), r, scheduler);
        r.done.get(5, TimeUnit.SECONDS);
        assertThat(r.tokens).isEmpty();
        assertThat(r.usage.completion()).isZero();
    }

    @Test
    void cancelStopsTheStream() throws Exception {
        RecordingSink r = new RecordingSink();
        Generation g = new BuiltinResponder(10, "m").generate(request("/echo " + "w ".repeat(200)), r, scheduler);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (r.count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        g.cancel();
        Thread.sleep(50);
        int after = r.count();
        Thread.sleep(150);
        assertThat(r.count()).isEqualTo(after).isLessThan(200);
        assertThat(r.done).isNotDone();
    }
}
