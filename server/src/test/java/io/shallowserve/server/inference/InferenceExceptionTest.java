package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The messages clients get, and what a failure means to them. */
class InferenceExceptionTest {

    @Test
    void message_quotingAHugeNameAndAServerPath_isInTheFormAClientMaySee() {
        String message = "unknown model '" + "m".repeat(100 * 1024) + "' in /srv/models; the repository index lists"
                + " the models";

        String forClient = InferenceException.notFound(message).getMessage();

        assertThat(forClient).isEqualTo(ErrorMessages.forClient(message))
                .hasSizeLessThanOrEqualTo(ErrorMessages.MAX_CHARS)
                .startsWith("unknown model 'mmm")
                .endsWith("; the repository index lists the models")
                .doesNotContain("/srv/models");
    }

    @Test
    void of_wrappedFailure_isTheInferenceExceptionItself() {
        InferenceException invalid = InferenceException.invalid("bad shape");

        assertThat(InferenceException.of(new CompletionException(new ExecutionException(invalid)))).isSameAs(invalid);
    }

    @Test
    void of_cancellation_isCancelled() {
        assertThat(InferenceException.of(new CancellationException()).status())
                .isEqualTo(InferenceException.Status.CANCELLED);
    }

    @Test
    void of_anyOtherFailure_isInternalWithItsCause() {
        IllegalStateException bug = new IllegalStateException("bug");

        InferenceException internal = InferenceException.of(new CompletionException(bug));

        assertThat(internal.status()).isEqualTo(InferenceException.Status.INTERNAL);
        assertThat(internal.getCause()).isSameAs(bug);
    }
}
