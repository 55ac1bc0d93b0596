package io.shallowserve.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.TestRepository;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The committed shallow model's eight summed branches in two groups, and a Concat join that does not group. */
class BranchGroupsTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    @Test
    void group_shallowModelInTwo_fusesEachGroupAndStillComputesTheGraph() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestRepository.committed(TestRepository.SHALLOW)
                .directory().resolve(ModelManifest.MODEL_FILE)));
        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        BranchGroups.Grouping grouping = BranchGroups.group(parts, 2);

        ForkJoinSplit.Parts grouped = grouping.parts().orElseThrow();
        assertThat(grouping.description()).isEqualTo("8 branches in 2 groups");
        assertThat(grouped.branches()).hasSize(2);
        assertThat(grouped.headInputs().subList(0, 2)).containsExactlyElementsOf(grouped.branchOutputs());
        for (ModelProto group : grouped.branches()) {
            // Four 3x3 convolutions C->C of one input, fused into one C->4C.
            assertThat(group.getGraph().getNodeList()).filteredOn(node -> node.getOpType().equals("Conv"))
                    .hasSize(1);
            assertThat(group.getGraph().getNodeList()).extracting(NodeProto::getOpType).contains("Split", "Sum");
        }
        assertThat(SplitCheck.mismatch(model, grouped, bytes -> SESSIONS.open(bytes, 1))).isEmpty();
    }

    @Test
    void group_asManyGroupsAsBranches_isTheBranchesPlanItself() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestRepository.committed(TestRepository.SHALLOW)
                .directory().resolve(ModelManifest.MODEL_FILE)));

        BranchGroups.Grouping grouping = BranchGroups.group((ForkJoinSplit.Parts) ForkJoinSplit.split(model), 8);

        assertThat(grouping.parts()).isEmpty();
        assertThat(grouping.description()).contains("would be the branches plan itself");
    }

    @Test
    void group_concatJoin_isNotGroupedAndSaysWhy() {
        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(TestGraph.inception(false));

        BranchGroups.Grouping grouping = BranchGroups.group(parts, 2);

        assertThat(grouping.parts()).isEmpty();
        assertThat(grouping.description()).contains("not a Sum of the branch outputs alone");
    }
}
