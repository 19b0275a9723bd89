#!/usr/bin/env python3
"""Builds fixtures/onnx/yolov8t_dynamic.onnx: a width-reduced YOLOv8 detector (the yolov8n graph
at a sixteenth of its channel width, random init, ultralytics as an exporter only) exported with
dynamic batch/height/width as third-party exports are, carrying ultralytics' metadata_props
(imgsz, task, names, stride) and no sidecar; plus onnxruntime's output at 320×320 and 256×320.

Usage: pip install ultralytics onnx onnxruntime numpy && python3 scripts/export-yolo-dynamic-fixture.py
"""
import pathlib
import shutil
import tempfile

import numpy as np
import onnxruntime as ort
import torch
from ultralytics import YOLO
import ultralytics

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "onnx"
base = pathlib.Path(ultralytics.__file__).parent / "cfg" / "models" / "v8" / "yolov8.yaml"
work = pathlib.Path(tempfile.mkdtemp())
yaml = work / "yolov8t.yaml"
text = base.read_text().replace("n: [0.33, 0.25, 1024]", "t: [0.33, 0.0625, 1024]").replace("nc: 80", "nc: 3")
yaml.write_text(text)
torch.manual_seed(0)
model = YOLO(str(yaml))
model.model.names = {0: "cat", 1: "cup", 2: "rocket"}
exported = model.export(format="onnx", imgsz=320, dynamic=True, simplify=False, opset=17, project=str(work))
target = OUT / "yolov8t_dynamic.onnx"
shutil.move(exported, target)
session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
rng = np.random.default_rng(11)
for h, w in [(320, 320), (256, 320)]:
    x = rng.uniform(0, 1, (1, 3, h, w)).astype(np.float32)
    (y,) = session.run(None, {"images": x})
    np.save(OUT / f"yolov8t_dynamic.{h}x{w}.in.npy", x)
    np.save(OUT / f"yolov8t_dynamic.{h}x{w}.out.npy", y.astype(np.float32))
print(f"wrote {target} ({target.stat().st_size} bytes)")
