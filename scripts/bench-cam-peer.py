#!/usr/bin/env python3
"""The Python peer for `lumen-bench cam`: times pytorch-grad-cam's EigenCAM projection
(`get_2d_projection`, a full numpy SVD) on the same layer shapes, and its end-to-end image path
(decode JPEG → projection → ReLU/scale/resize → show_cam_on_image → PNG encode). Prints JSON.

If pytorch-grad-cam is not installed, the same full-SVD algorithm is timed with numpy alone.
Usage: pip install grad-cam opencv-python-headless numpy; run through `lumen-bench cam`.
"""
import argparse
import json
import sys

import cv2
import numpy as np
from peer_timing import timed

try:
    from pytorch_grad_cam.utils.image import scale_cam_image, show_cam_on_image
    from pytorch_grad_cam.utils.svd_on_activations import get_2d_projection

    PEER = "pytorch-grad-cam (grad-cam on PyPI), numpy full SVD"
except ImportError:  # numpy-only fallback with the same algorithm
    PEER = "numpy full SVD (pytorch-grad-cam not installed)"

    def get_2d_projection(batch):
        batch = batch.copy()
        batch[np.isnan(batch)] = 0
        out = []
        for acts in batch:
            x = acts.reshape(acts.shape[0], -1).T
            x = x - x.mean(axis=0)
            _, _, vt = np.linalg.svd(x, full_matrices=True)
            out.append((x @ vt[0]).reshape(acts.shape[1:]))
        return np.float32(out)

    def scale_cam_image(cam, target_size=None):
        result = []
        for img in cam:
            img = img - np.min(img)
            img = img / (1e-7 + np.max(img))
            if target_size is not None:
                img = cv2.resize(np.float32(img), target_size)
            result.append(img)
        return np.float32(result)

    def show_cam_on_image(img, mask, use_rgb=False, image_weight=0.5):
        heatmap = cv2.applyColorMap(np.uint8(255 * mask), cv2.COLORMAP_JET)
        if use_rgb:
            heatmap = cv2.cvtColor(heatmap, cv2.COLOR_BGR2RGB)
        cam = (1 - image_weight) * np.float32(heatmap) / 255 + image_weight * img
        return np.uint8(255 * cam / np.max(cam))


SHAPES = [(512, 7, 7), (256, 20, 20), (128, 40, 40), (64, 80, 80), (256, 40, 40)]




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--photo", required=True)
    parser.add_argument("--activations", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    result = {"peer": PEER, "projection_ms": {}}
    for c, h, w in SHAPES:
        acts = np.maximum(rng.normal(0.5, 1.0, size=(1, c, h, w)), 0).astype(np.float32)
        budget = 1.0 if h * w >= 6400 else 6.0
        result["projection_ms"][f"{c}x{h}x{w}"] = timed(lambda: get_2d_projection(acts), budget=budget)

    data = open(args.photo, "rb").read()
    acts = np.load(args.activations).astype(np.float32)
    if acts.ndim == 3:
        acts = acts[None]

    def end_to_end():
        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        rgb = np.float32(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)) / 255
        cam = np.maximum(get_2d_projection(acts), 0)
        scaled = scale_cam_image(cam, (rgb.shape[1], rgb.shape[0]))[:, None]
        mask = scale_cam_image(np.mean(np.maximum(scaled, 0), axis=1))[0]
        overlay = show_cam_on_image(rgb, mask, use_rgb=True)
        ok, png = cv2.imencode(".png", cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
        assert ok

    result["end_to_end_ms"] = timed(end_to_end, budget=6.0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
