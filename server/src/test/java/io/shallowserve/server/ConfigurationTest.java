package io.shallowserve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.server.inference.EngineConfig;
import io.shallowserve.server.inference.Readiness;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.VersionPolicy;
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

        assertThat(config.get("server.port").asInt().get()).isEqualTo(8000);
        assertThat(config.get("server.connection-options.tcp-no-delay").asBoolean().get()).isTrue();
        assertThat(settings.engine().repository()).isEqualTo(Path.of("models"));
        assertThat(settings.engine().plan()).isEqualTo(PlanChoice.AUTO);
        assertThat(settings.engine().device()).isEqualTo("cpu");
        assertThat(settings.grpc().port()).isEqualTo(8001);
        assertThat(settings.grpc().maxMessageBytes()).isEqualTo(settings.maxMessageBytes());
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
        assertThat(settings.grpc().port()).isEqualTo(9001);
    }

    @Test
    void config_set_overridesAnyKey() {
        Config config = Main.config("--set", "shallowserve.serving.batching.enabled=true",
                "--set", "shallowserve.serving.batching.preferred-batch-sizes=2,4");
        ModelSettings serving = Settings.create(config.get("shallowserve")).engine().serving();

        assertThat(serving.batching()).isEqualTo(new ModelSettings.Batching(true, 0, List.of(2, 4)));
    }

    @Test
    void config_unknownFlagOrMissingValue_isRefused() {
        assertThatThrownBy(() -> Main.config("--modles", "x")).hasMessageContaining("unknown option --modles");
        assertThatThrownBy(() -> Main.config("--port")).hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> Main.config("--set", "batching")).hasMessageContaining("--set needs KEY=VALUE");
    }

    @Test
    void settings_resetLimit_isReadAndItsWindowMustBeWholeSeconds() {
        Settings settings = Settings.create(Main.config().get("shallowserve"));

        assertThat(settings.grpc().maxRstFramesPerWindow()).isEqualTo(10_000);
        assertThat(settings.grpc().rstFramesWindow()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> Settings.create(
                Main.config("--set", "shallowserve.grpc.rst-frames-window=PT0.5S").get("shallowserve")))
                .hasMessageContaining("whole seconds");
    }

    @Test
    void settings_unknownPlan_isRefusedNamingTheChoices() {
        assertThatThrownBy(() -> Settings.create(Main.config("--plan", "fastest").get("shallowserve")))
                .hasMessageContaining("single, wide, grouped, branches or auto");
    }

    @Test
    void settings_planWide_isTheWidePlan() {
        assertThat(Settings.create(Main.config("--plan", "wide").get("shallowserve")).engine().plan())
                .isEqualTo(PlanChoice.WIDE);
    }

    @Test
    void settings_engineKeys_reachTheEngineConfig() {
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(
                        ConfigSources.create(Map.ofEntries(
                                Map.entry("shallowserve.limits.batch", "8"),
                                Map.entry("shallowserve.limits.queued", "5"),
                                Map.entry("shallowserve.threads.branches", "6"),
                                Map.entry("shallowserve.threads.intra-op", "2"),
                                Map.entry("shallowserve.shutdown.timeout", "PT3S"),
                                Map.entry("shallowserve.serving.instances", "3"),
                                Map.entry("shallowserve.serving.batching.enabled", "true"),
                                Map.entry("shallowserve.serving.batching.max-queue-delay-micros", "250"),
                                Map.entry("shallowserve.serving.batching.preferred-batch-sizes", "4,8"),
                                Map.entry("shallowserve.serving.version-policy", "latest:2"),
                                Map.entry("shallowserve.repository.poll", "PT5S"),
                                Map.entry("shallowserve.repository.load-api", "false"))),
                        ConfigSources.classpath("application.yaml")))
                .build();

        EngineConfig engine = Settings.create(config.get("shallowserve")).engine();

        assertThat(engine.maxBatchSize()).isEqualTo(8);
        assertThat(engine.maxQueued()).isEqualTo(5);
        assertThat(engine.branchThreads()).isEqualTo(6);
        assertThat(engine.intraOpThreads()).isEqualTo(2);
        assertThat(engine.closeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(engine.serving()).isEqualTo(new ModelSettings(3,
                new ModelSettings.Batching(true, 250, List.of(4, 8)), VersionPolicy.parse("latest:2")));
        assertThat(engine.repositoryPoll()).isEqualTo(Duration.ofSeconds(5));
        assertThat(engine.loadApi()).isFalse();
    }

    @Test
    void settings_keysLeftOut_takeTheEnginesDefaults() {
        EngineConfig engine = Settings.create(Main.config().get("shallowserve")).engine();
        EngineConfig defaults = EngineConfig.defaults(Path.of("models"));

        assertThat(engine.maxBatchSize()).isEqualTo(defaults.maxBatchSize());
        assertThat(engine.maxQueued()).isEqualTo(defaults.maxQueued());
        assertThat(engine.serving()).isEqualTo(defaults.serving());
        assertThat(engine.repositoryPoll()).isEqualTo(Duration.ZERO);
        assertThat(engine.loadApi()).isTrue();
        assertThat(engine.branchThreads()).isEqualTo(defaults.branchThreads());
        assertThat(engine.intraOpThreads()).isEqualTo(defaults.intraOpThreads());
        assertThat(engine.closeTimeout()).isEqualTo(defaults.closeTimeout());
        assertThat(engine.readiness()).isEqualTo(Readiness.ANY_MODEL);
    }

    @Test
    void settings_readiness_isReadAndAnUnknownChoiceIsRefused() {
        Config config = Main.config("--set", "shallowserve.readiness.models=ALL",
                "--set", "shallowserve.readiness.cpu-fallback=false");

        assertThat(Settings.create(config.get("shallowserve")).engine().readiness())
                .isEqualTo(new Readiness(Readiness.Models.ALL, false));
        assertThatThrownBy(() -> Settings.create(
                Main.config("--set", "shallowserve.readiness.models=most").get("shallowserve")))
                .hasMessageContaining("shallowserve.readiness.models is 'most'; use any or all");
    }
}
