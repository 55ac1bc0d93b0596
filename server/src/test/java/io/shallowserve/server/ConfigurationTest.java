package io.shallowserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shallowserve.server.exec.PlanChoice;
import io.shallowserve.server.inference.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration as {@link Main} reads it: application.yaml with command-line flags on top. */
class ConfigurationTest {

    @Test
    void config_withoutFlags_isApplicationYaml() {
        Config config = Main.config();
        Settings settings = Settings.create(config.get("shallowserve"));

        assertThat(config.get("server.port").asInt().get()).isEqualTo(8080);
        assertThat(config.get("server.connection-options.tcp-no-delay").asBoolean().get()).isTrue();
        assertThat(settings.engine().repository()).isEqualTo(Path.of("models"));
        assertThat(settings.engine().plan()).isEqualTo(PlanChoice.AUTO);
        assertThat(settings.engine().device()).isEqualTo("cpu");
        assertThat(settings.grpcPort()).isEqualTo(-1);
        assertThat(settings.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
        // The HTTP body limit follows the message limit.
        assertThat(config.get("server.max-payload-size").asLong().get()).isEqualTo(settings.maxMessageBytes());
    }

    @Test
    void config_flags_overrideTheirKeys() {
        Config config = Main.config("--models", "/srv/models", "--port=9000", "--grpc-port", "9001",
                "--plan", "Branches", "--device", "cuda:0");
        Settings settings = Settings.create(config.get("shallowserve"));

        assertThat(config.get("server.port").asInt().get()).isEqualTo(9000);
        assertThat(settings.engine().repository()).isEqualTo(Path.of("/srv/models"));
        assertThat(settings.engine().plan()).isEqualTo(PlanChoice.BRANCHES);
        assertThat(settings.engine().device()).isEqualTo("cuda:0");
        assertThat(settings.grpcPort()).isEqualTo(9001);
    }

    @Test
    void config_unknownFlagOrMissingValue_isRefused() {
        assertThatThrownBy(() -> Main.config("--modles", "x")).hasMessageContaining("unknown option --modles");
        assertThatThrownBy(() -> Main.config("--port")).hasMessageContaining("--port needs a value");
    }

    @Test
    void settings_unknownPlan_isRefusedNamingTheChoices() {
        assertThatThrownBy(() -> Settings.create(Main.config("--plan", "fastest").get("shallowserve")))
                .hasMessageContaining("single, branches or auto");
    }

    @Test
    void settings_engineKeys_reachTheEngineConfig() {
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(
                        ConfigSources.create(Map.of(
                                "shallowserve.limits.batch", "8",
                                "shallowserve.limits.concurrent", "3",
                                "shallowserve.limits.queued", "5",
                                "shallowserve.threads.branches", "6",
                                "shallowserve.threads.intra-op", "2",
                                "shallowserve.shutdown.timeout", "PT3S")),
                        ConfigSources.classpath("application.yaml")))
                .build();

        EngineConfig engine = Settings.create(config.get("shallowserve")).engine();

        assertThat(engine.maxBatchSize()).isEqualTo(8);
        assertThat(engine.maxConcurrentPerModel()).isEqualTo(3);
        assertThat(engine.maxQueuedPerModel()).isEqualTo(5);
        assertThat(engine.branchThreads()).isEqualTo(6);
        assertThat(engine.intraOpThreads()).isEqualTo(2);
        assertThat(engine.closeTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void settings_keysLeftOut_takeTheEnginesDefaults() {
        EngineConfig engine = Settings.create(Main.config().get("shallowserve")).engine();
        EngineConfig defaults = EngineConfig.defaults(Path.of("models"));

        assertThat(engine.maxBatchSize()).isEqualTo(defaults.maxBatchSize());
        assertThat(engine.maxConcurrentPerModel()).isEqualTo(defaults.maxConcurrentPerModel());
        assertThat(engine.maxQueuedPerModel()).isEqualTo(defaults.maxQueuedPerModel());
        assertThat(engine.branchThreads()).isEqualTo(defaults.branchThreads());
        assertThat(engine.intraOpThreads()).isEqualTo(defaults.intraOpThreads());
        assertThat(engine.closeTimeout()).isEqualTo(defaults.closeTimeout());
    }
}
