#!/usr/bin/env python3
"""Exports a YOLOv8n-architecture detector (ultralytics `yolov8n.yaml`, seeded random weights:
real graph and operators, meaningless predictions) to fixtures/onnx/yolov8n.onnx with a sidecar,
an input and onnxruntime's output for parity, and a non-maximum-suppression reference from
torchvision.ops.nms.

Usage: pip install ultralytics onnx onnxruntime torchvision && python3 scripts/export-yolov8n.py
"""
import json
import pathlib
import shutil
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torchvision
from ultralytics import YOLO

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "onnx"


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        model = YOLO("yolov8n.yaml")
        path = pathlib.Path(model.export(format="onnx", imgsz=640, opset=17, simplify=False, dynamic=False, project=tmp))
        shutil.copy(path, OUT / "yolov8n.onnx")
    graph = onnx.load(str(OUT / "yolov8n.onnx"))
    # The block before the Detect head (model[-2] in the usual tutorial).
    layer = [n.output[0] for n in graph.graph.node if n.name.startswith("/model.21/")][-1]
    (OUT / "yolov8n.json").write_text(json.dumps({
        "task": "detect",
        "input": {"name": "images", "width": 640, "height": 640, "resize": "letterbox", "pad_value": 114, "channel_order": "RGB",
                  "mean": [0, 0, 0], "std": [255, 255, 255]},
        "cam_layer": layer, "output": "output0", "confidence_threshold": 0.25, "iou_threshold": 0.45,
    }, indent=2) + "\n")
    rng = np.random.default_rng(8)
    # A deterministic input both sides can compute: x[i] = ((i · 2654435761) mod 1000) / 1000.
    index = np.arange(3 * 640 * 640, dtype=np.uint64)
    x = (((index * np.uint64(2654435761)) % np.uint64(1000)).astype(np.float32) / np.float32(1000)).reshape(1, 3, 640, 640)
    probe = onnx.load(str(OUT / "yolov8n.onnx"))
    probe.graph.output.append(onnx.helper.make_empty_tensor_value_info(layer))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    output, activations = session.run(["output0", layer], {"images": x})
    np.save(OUT / "yolov8n_output.npy", output.astype(np.float32))
    np.save(OUT / "yolov8n_layer.npy", activations.astype(np.float32))

    # NMS reference: random boxes in two classes.
    boxes = rng.uniform(0, 200, (60, 2))
    sizes = rng.uniform(10, 80, (60, 2))
    xyxy = np.concatenate([boxes, boxes + sizes], axis=1).astype(np.float32)
    scores = rng.uniform(0.3, 1.0, 60).astype(np.float32)
    classes = rng.integers(0, 2, 60)
    kept = torchvision.ops.batched_nms(torch.from_numpy(xyxy), torch.from_numpy(scores), torch.from_numpy(classes), 0.45).tolist()
    (OUT / "nms_reference.json").write_text(json.dumps({"boxes": xyxy.tolist(), "scores": scores.tolist(), "classes": classes.tolist(),
                                                         "iou": 0.45, "kept": kept}) + "\n")
    print("layer", layer, "output", output.shape, "activations", activations.shape)


if __name__ == "__main__":
    main()
