package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.TestRepository;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loader and the router started together and shut down in order: draining, then closing. */
@Timeout(60)
class InferenceEngineTest {

    private static final String SHALLOW = TestRepository.SHALLOW;

    @Test
    void drain_notReadyButStillServes_closeStopsEverything() throws Exception {
        InferenceEngine engine = InferenceEngine.start(EngineConfig.defaults(TestRepository.COMMITTED)
                .withPlan(PlanChoice.BRANCHES), new SimpleMeterRegistry());
        InferenceRequest request = Requests.images(SHALLOW, FashionMnist.testImages(1), 0, 1);
        Requests.infer(engine.router(), request);
        assertThat(branchThreads()).isNotEmpty();

        engine.router().drain();
        assertThat(engine.router().ready()).isFalse();
        assertThat(engine.router().live()).isTrue();
        assertThat(Requests.infer(engine.router(), request).outputs()).hasSize(1);

        engine.close();
        assertThat(engine.router().live()).isFalse();
        assertThat(engine.router().modelReady(SHALLOW, "")).isFalse();
        assertThatThrownBy(() -> Requests.infer(engine.router(), request))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.UNAVAILABLE))
                .hasMessageContaining("shutting down");
        assertThat(branchThreads()).isEmpty();
    }

    private static List<Thread> branchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("shallowserve-branch-") && thread.isAlive())
                .toList();
    }
}
