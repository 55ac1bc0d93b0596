package io.shallowserve.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.TestRepository;
import java.nio.file.Files;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Where the groups of branches begin, by their work; the committed shallow model's eight summed branches in two
 * groups, four branches of unequal work in two, and a Concat join that does not group.
 */
class BranchGroupsTest {

    private static final SessionFactory SESSIONS = new SessionFactory("cpu");

    @Test
    void group_shallowModelInTwo_fusesEachGroupAndStillComputesTheGraph() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestRepository.committed(TestRepository.SHALLOW)
                .directory().resolve(ModelManifest.MODEL_FILE)));
        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        BranchGroups.Grouping grouping = BranchGroups.group(parts, 2);

        ForkJoinSplit.Parts grouped = grouping.parts().orElseThrow();
        assertThat(grouping.description()).isEqualTo("8 branches in 2 groups of work 4083080+4083080");
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
    void group_fourBranchesOfUnequalWork_groupsByWorkAndStillComputesTheGraph() throws Exception {
        // Image [N, 3, 8, 8], a stem convolution to 4 channels; one 3x3 convolution on the stem's map and three on it
        // pooled 2x2 and upsampled back (a 4-stream parnet's maps), summed: equal counts would be groups of work
        // 9473 + 2627 and 2627 + 2627.
        TestGraph graph = new TestGraph("four-streams", "image", 3, 8, 8);
        String stem = graph.node("Relu", "stem", List.of(graph.conv("stem.conv", "image", 3, 4, 3)));
        List<String> streams = List.of(graph.conv("stream0", stem, 4, 4, 3), graph.pooledConv("stream1", stem, 4, 4, 3),
                graph.pooledConv("stream2", stem, 4, 4, 3), graph.pooledConv("stream3", stem, 4, 4, 3));
        graph.node("Sum", "streams.sum", streams);
        ModelProto model = graph.output("streams.sum", 4, 8, 8).model();
        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        BranchGroups.Grouping grouping = BranchGroups.group(parts, 2);

        assertThat(parts.branchWork()).containsExactly(9473L, 2627L, 2627L, 2627L);
        assertThat(grouping.description()).isEqualTo("4 branches in 2 groups of work 9473+7881");
        ForkJoinSplit.Parts grouped = grouping.parts().orElseThrow();
        assertThat(grouped.branches()).extracting(group -> group.getGraph().getNodeList().stream()
                .filter(node -> node.getOpType().equals("Conv")).count()).containsExactly(1L, 3L);
        assertThat(SplitCheck.mismatch(model, grouped, bytes -> SESSIONS.open(bytes, 1))).isEmpty();
    }

    @Test
    void boundaries_equalWork_areEqualCountsBeginningAtGTimesLOverG() {
        for (int branches = 1; branches <= 12; branches++) {
            List<Long> work = Collections.nCopies(branches, 5L);
            for (int groups = 1; groups <= branches; groups++) {
                int l = branches;
                int g = groups;
                assertThat(BranchGroups.boundaries(work, groups)).as("%d branches in %d groups", l, g)
                        .isEqualTo(IntStream.rangeClosed(0, g).map(k -> k * l / g).boxed().toList());
            }
        }
    }

    @Test
    void boundaries_heavyFirstBranch_standsAlone() {
        assertThat(BranchGroups.boundaries(List.of(4L, 1L, 1L, 1L), 2)).containsExactly(0, 1, 4);
        assertThat(BranchGroups.boundaries(List.of(1L, 1L, 1L, 4L), 2)).containsExactly(0, 3, 4);
    }

    @Test
    void boundaries_heavyBranchAmongMoreGroups_leavesTheOthersNearEqualCounts() {
        // Equal counts (0, 2, 4, 6) put 5 + 1 together; [5] alone is the least largest group, and of the ways to
        // keep every group within 5, the boundaries nearest 0, 2, 4, 6.
        assertThat(BranchGroups.boundaries(List.of(5L, 1L, 1L, 1L, 1L, 1L), 3)).containsExactly(0, 1, 4, 6);
        // Every group gets a branch even where one group could take all the small ones.
        assertThat(BranchGroups.boundaries(List.of(100L, 1L, 1L, 1L), 3)).containsExactly(0, 1, 2, 4);
    }

    @Test
    void boundaries_moreGroupsThanBranches_isRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> BranchGroups.boundaries(List.of(1L, 1L), 3))
                .withMessage("2 branches cannot be put in 3 groups with a branch each");
        assertThatIllegalArgumentException().isThrownBy(() -> BranchGroups.boundaries(List.of(1L, 1L), 0));
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
