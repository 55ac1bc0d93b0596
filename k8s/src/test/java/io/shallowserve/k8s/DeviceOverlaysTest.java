package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** What the cpu and gpu overlays change: the image build, the device and where the pods may run. */
class DeviceOverlaysTest {

    @Test
    void cpuOverlay_runsTheCpuBuildOnTheCpu() {
        Manifests cpu = Manifests.render("overlays/cpu");

        assertThat(ImageReference.parse(cpu.serverContainer().get("image").getAsString()).name()).as("image")
                .isEqualTo("shallowserve");
        assertThat(cpu.serverConfiguration().device()).as("device").isEqualTo("cpu");
        assertThat(Manifests.at(cpu.serverContainer(), "resources", "limits", "nvidia.com/gpu")).as("GPU limit").isNull();
    }

    @Test
    void gpuOverlay_runsTheCudaBuildOnOneGpuOfAGpuNode() {
        Manifests gpu = Manifests.render("overlays/gpu");
        JsonObject server = gpu.serverContainer();

        // Dockerfile.gpu's image: the server built with onnxruntime_gpu on the CUDA 12 + cuDNN 9 runtime.
        assertThat(ImageReference.parse(server.get("image").getAsString()).name()).as("image").isEqualTo("shallowserve-gpu");
        assertThat(gpu.serverConfiguration().device()).as("device").isEqualTo("cuda:0");
        assertThat(Manifests.at(server, "resources", "limits", "nvidia.com/gpu")).as("GPU limit").hasToString("\"1\"");
        assertThat(Manifests.at(server, "resources", "requests", "nvidia.com/gpu")).as("GPU request").hasToString("\"1\"");
        // The GPU request alone limits the pods to nodes that offer one; a label would exist only where the GPU
        // Operator runs.
        assertThat(Manifests.at(gpu.podSpec(), "nodeSelector")).as("a nodeSelector").isNull();
        // Every pod holds a GPU: a rollout that surged would wait for one more.
        assertThat(Manifests.at(gpu.one("Deployment"), "spec", "strategy", "rollingUpdate", "maxSurge"))
                .as("maxSurge").hasToString("0");
        assertThat(Manifests.at(gpu.one("Deployment"), "spec", "strategy", "rollingUpdate", "maxUnavailable"))
                .as("maxUnavailable").hasToString("1");
        assertThat(Manifests.at(gpu.podSpec(), "tolerations")).as("the tolerations").isNotNull();
        assertThat(gpu.podSpec().getAsJsonArray("tolerations").asList()).as("a toleration of the nvidia.com/gpu taint")
                .anyMatch(toleration -> toleration.getAsJsonObject().get("key").getAsString().equals("nvidia.com/gpu"));
        // The models image is the same for both builds.
        assertThat(gpu.podSpec().getAsJsonArray("initContainers")).as("the init containers")
                .isEqualTo(Manifests.render("overlays/cpu").podSpec().getAsJsonArray("initContainers"));
    }
}
