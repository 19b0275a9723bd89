#!/usr/bin/env python3
"""Exports a conformance zoo of real architectures to ONNX and records onnxruntime's answers.

torchvision classification families (random weights, every BatchNorm's statistics and affine
parameters perturbed with a fixed seed so the numerics are exercised) at opset 17, some also at
13 and 11, and the ultralytics YOLO family built from its yaml files (random init, imgsz 320;
ultralytics is AGPL: used here as an exporter only, nothing of it is committed). Each model gets
a seeded input, onnxruntime's outputs (.npy) and onnxruntime's median forward time on 2 threads.
Exports are cached: an existing .onnx is kept. `make zoo` runs this, then `lumen-bench zoo`.

Usage: pip install torch torchvision ultralytics onnx onnxruntime numpy
       python3 scripts/export-onnx-zoo.py data/zoo [--only NAME …]
"""
import json
import pathlib
import shutil
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

TORCHVISION = [
    # name, constructor, kwargs, input size, opsets
    ("resnet18", "resnet18", {}, 224, [17, 13]),
    ("resnet50", "resnet50", {}, 224, [17]),
    ("resnext50_32x4d", "resnext50_32x4d", {}, 224, [17]),
    ("wide_resnet50_2", "wide_resnet50_2", {}, 224, [17]),
    ("mobilenet_v2", "mobilenet_v2", {}, 224, [17, 11]),
    ("mobilenet_v3_small", "mobilenet_v3_small", {}, 224, [17, 13]),
    ("mobilenet_v3_large", "mobilenet_v3_large", {}, 224, [17]),
    ("efficientnet_b0", "efficientnet_b0", {}, 224, [17]),
    ("efficientnet_v2_s", "efficientnet_v2_s", {}, 224, [17]),
    ("regnet_x_400mf", "regnet_x_400mf", {}, 224, [17]),
    ("regnet_y_400mf", "regnet_y_400mf", {}, 224, [17]),
    ("densenet121", "densenet121", {}, 224, [17]),
    ("squeezenet1_1", "squeezenet1_1", {}, 224, [17]),
    ("shufflenet_v2_x1_0", "shufflenet_v2_x1_0", {}, 224, [17]),
    ("mnasnet1_0", "mnasnet1_0", {}, 224, [17]),
    ("googlenet", "googlenet", {"aux_logits": False, "init_weights": True}, 224, [17]),
    ("inception_v3", "inception_v3", {"aux_logits": False, "init_weights": True}, 299, [17]),
    ("vgg11_bn", "vgg11_bn", {}, 224, [17]),
    ("convnext_tiny", "convnext_tiny", {}, 224, [17, 13]),
]

ULTRALYTICS = [
    # name, yaml, dynamic
    ("yolov5nu", "yolov5n.yaml", False),
    ("yolov8n", "yolov8n.yaml", False),
    ("yolov8n_dynamic", "yolov8n.yaml", True),
    ("yolov8n_seg", "yolov8n-seg.yaml", False),
    ("yolov8n_cls", "yolov8n-cls.yaml", False),
    ("yolov8n_pose", "yolov8n-pose.yaml", False),
    ("yolov10n", "yolov10n.yaml", False),
    ("yolo11n", "yolo11n.yaml", False),
]


def perturb_batchnorm(model, torch):
    g = torch.Generator().manual_seed(0)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
            if m.affine:
                m.weight.data.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.data.copy_(torch.randn(c, generator=g) * 0.1)


def import_torchvision(torch):
    """torchvision's model definitions. PyPI's torchvision wheels are CUDA builds whose compiled
    operators (nms, roi_align) do not load beside a CPU-only torch, and importing them then fails
    while registering their fake kernels; the zoo needs only the Python model definitions, so on
    that failure the import is retried with fake-kernel registration skipped."""
    try:
        import torchvision
    except RuntimeError:
        import sys
        for name in [m for m in sys.modules if m.startswith("torchvision")]:
            del sys.modules[name]
        register_fake = torch.library.register_fake
        torch.library.register_fake = lambda *args, **kwargs: (lambda f: f)
        try:
            import torchvision
        finally:
            torch.library.register_fake = register_fake
    return torchvision


def export_torchvision(out, only):
    import torch
    torchvision = import_torchvision(torch)

    entries = []
    for name, ctor, kwargs, size, opsets in TORCHVISION:
        for opset in opsets:
            tag = f"{name}_op{opset}"
            if only and tag not in only and name not in only:
                continue
            path = out / f"{tag}.onnx"
            if not path.exists():
                torch.manual_seed(0)
                model = getattr(torchvision.models, ctor)(weights=None, **kwargs).eval()
                with torch.no_grad():
                    perturb_batchnorm(model, torch)
                    torch.onnx.export(
                        model, torch.randn(1, 3, size, size), str(path), opset_version=opset, dynamo=False,
                        input_names=["input"], output_names=["logits"])
            entries.append({"name": tag, "file": path.name, "source": f"torchvision {ctor}", "size": size, "task": "classify"})
            print(f"exported {tag}", flush=True)
    return entries


def export_ultralytics(out, only):
    from ultralytics import YOLO

    entries = []
    for name, yaml, dynamic in ULTRALYTICS:
        if only and name not in only:
            continue
        path = out / f"{name}.onnx"
        if not path.exists():
            work = out / "ultralytics-work"
            work.mkdir(exist_ok=True)
            model = YOLO(yaml)
            exported = model.export(format="onnx", imgsz=320, dynamic=dynamic, simplify=False, opset=17, project=str(work))
            shutil.move(exported, path)
        task = "classify" if "cls" in name else "detect"
        entries.append({"name": name, "file": path.name, "source": f"ultralytics {yaml}", "size": 320 if task == "detect" else 224,
                        "task": task, "dynamic": dynamic})
        print(f"exported {name}", flush=True)
    return entries


def reference(out, entry):
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(out / entry["file"]))
    graph_input = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}][0]
    dims = [d.dim_value if d.dim_value > 0 else None for d in graph_input.type.tensor_type.shape.dim]
    size = entry["size"]
    shape = [1, 3, size, size] if any(d is None for d in dims) or len(dims) != 4 else dims
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1, shape).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(str(out / entry["file"]), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    feed = {graph_input.name: x}
    results = session.run(names, feed)
    for _ in range(3):
        session.run(names, feed)
    times = []
    for _ in range(15):
        t = time.perf_counter()
        session.run(names, feed)
        times.append((time.perf_counter() - t) * 1000)
    stem = entry["name"]
    np.save(out / f"{stem}.in.npy", x)
    for k, r in enumerate(results):
        np.save(out / f"{stem}.out{k}.npy", np.asarray(r).astype(np.float32))
    entry.update({"input": graph_input.name, "shape": shape, "outputs": names, "ort_ms": float(np.median(times)),
                  "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                  "metadata": {p.key: p.value for p in model.metadata_props}})


def main():
    out = pathlib.Path(sys.argv[1])
    only = set(sys.argv[sys.argv.index("--only") + 1:]) if "--only" in sys.argv else set()
    out.mkdir(parents=True, exist_ok=True)
    entries = export_torchvision(out, only) + export_ultralytics(out, only)
    for entry in entries:
        reference(out, entry)
        print(f"{entry['name']}: onnxruntime {entry['ort_ms']:.2f} ms", flush=True)
    manifest = out / "zoo.json"
    previous = {e["name"]: e for e in json.loads(manifest.read_text())} if manifest.exists() and only else {}
    previous.update({e["name"]: e for e in entries})
    manifest.write_text(json.dumps(list(previous.values()), indent=1) + "\n")
    print(f"wrote {len(previous)} models to {manifest}")


if __name__ == "__main__":
    main()
