package io.shallowserve.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtEnvironment;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitCheckTest {

    @Test
    void mismatch_headThatJoinsInAnotherOrder_saysWhatDiffers() throws Exception {
        ModelProto model = TestGraph.inception(false);
        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);
        GraphProto.Builder head = parts.head().getGraph().toBuilder();
        NodeProto.Builder join = head.getNodeBuilder(0);
        List<String> reversed = join.getInputList().reversed();
        join.clearInput().addAllInput(reversed);
        ForkJoinSplit.Parts wrong = new ForkJoinSplit.Parts(parts.fork(), parts.join(), parts.stem(),
                parts.stemOutputs(), parts.branches(), parts.branchOutputs(), parts.head().toBuilder().setGraph(head)
                .build(), parts.headInputs(), parts.branchWork());

        assertThat(SplitCheck.mismatch(model, wrong, OrtEnvironment.getEnvironment()::createSession)).hasValueSatisfying(
                difference -> assertThat(difference).startsWith("at batch 1, logits differs by up to ")
                        .contains("allowed: 1.0E-5 of its largest value"));
    }
}
