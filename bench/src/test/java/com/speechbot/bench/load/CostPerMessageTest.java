package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CostPerMessageTest {

    private static final String EXPOSITION = """
            # HELP speechbot_store_commit_seconds one group-commit transaction
            # TYPE speechbot_store_commit_seconds summary
            speechbot_store_commit_seconds_count{kind="delivered",} 956.0
            speechbot_store_commit_seconds_sum{kind="delivered",} 1.5
            speechbot_store_commit_seconds_count{kind="receipts",} 1896.0
            speechbot_store_commit_seconds_count{application="x",kind="sends"} 965
            speechbot_store_commit_seconds_max{kind="sends",} 0.01
            speechbot_ws_connections 1000.0
            """;

    @Test
    void storeCommitsAreReadByKind() {
        assertThat(MetricsScraper.storeCommits(EXPOSITION))
                .containsExactly(Map.entry("delivered", 956L), Map.entry("receipts", 1896L), Map.entry("sends", 965L));
        assertThat(MetricsScraper.storeCommits("jvm_threads_live 12\n")).isEmpty();
    }

    @Test
    void countsGrowBetweenScrapesAndAMissingScrapeGivesNothing() {
        Map<String, Long> before = Map.of("sends", 100L, "receipts", 50L);
        Map<String, Long> after = Map.of("sends", 1065L, "receipts", 1946L, "delivered", 956L);
        assertThat(ScenarioRunner.delta(before, after))
                .containsExactly(Map.entry("delivered", 956L), Map.entry("receipts", 1896L), Map.entry("sends", 965L));
        assertThat(ScenarioRunner.delta(Map.of(), after)).isEmpty();
    }

    @Test
    void cpuAndTransactionsPerMessage() {
        Measurement m = new Measurement(null, Map.of("server_cpu_seconds", 1.9, "postgres_cpu_seconds", 5.7),
                Map.of("sends", 965L, "delivered", 956L, "receipts", 1896L));
        Map<String, Object> cost = CostPerMessage.of(m, 1000, 20_000);
        assertThat(cost).containsEntry("server_cpu_ms_per_message", 1.9)
                .containsEntry("postgres_cpu_ms_per_message", 5.7)
                .containsEntry("total_cpu_ms_per_message", 7.6)
                .containsEntry("total_cpu_us_per_frame", 380.0);
        assertThat(cost.get("store_commits_per_message"))
                .isEqualTo(Map.of("sends", 0.965, "delivered", 0.956, "receipts", 1.896));
        assertThat(CostPerMessage.line(cost)).startsWith("server 1.900 + PostgreSQL 5.700 = 7.600 ms CPU per message");
    }

    @Test
    void withoutPostgresTheServerAloneIsTheTotal() {
        Measurement m = new Measurement(null, Map.of("server_cpu_seconds", 1.3), Map.of());
        Map<String, Object> cost = CostPerMessage.of(m, 1000, 0);
        assertThat(cost).containsEntry("total_cpu_ms_per_message", 1.3).doesNotContainKey("postgres_cpu_ms_per_message")
                .doesNotContainKey("store_commits_per_message").doesNotContainKey("server_cpu_us_per_frame");
        assertThat(CostPerMessage.of(new Measurement(null, Map.of(), Map.of()), 1000, 10)).isEmpty();
    }
}
