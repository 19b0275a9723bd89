#!/usr/bin/env python3
"""The peer for `lumen-bench onnx`: onnxruntime with 2 threads on the same model, and the same
end-to-end job in Python (decode, preprocess, forward with the CAM layer as an extra output,
pytorch-grad-cam's projection and overlay, PNG encode). Prints JSON.
Usage: pip install onnxruntime onnx opencv-python-headless numpy grad-cam; run through lumen-bench.
"""
import argparse
import json
import resource

import cv2
import numpy as np
from peer_timing import timed, timings
import onnx
import onnxruntime as ort




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--photo", required=True)
    parser.add_argument("--forward-only", action="store_true", help="time the forward pass only")
    args = parser.parse_args()
    sidecar = json.load(open(args.model[:-5] + ".json"))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    model = onnx.load(args.model)
    model.graph.output.append(onnx.helper.make_empty_tensor_value_info(sidecar["cam_layer"]))
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    spec = sidecar["input"]
    mean, std = np.array(spec["mean"], np.float32), np.array(spec["std"], np.float32)

    # (The peer resizes by stretching for both models; Lumen letterboxes the detector: same work.)
    def preprocess(bgr):
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        x = (cv2.resize(rgb, (spec["width"], spec["height"])).astype(np.float32) - mean) / std
        return x.transpose(2, 0, 1)[None].copy(), rgb

    data = open(args.photo, "rb").read()
    x, _ = preprocess(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))
    output = sidecar.get("output", "logits")
    forward = timings(lambda: session.run([output], {spec["name"]: x}), runs=40, warmup=3)
    result = {"forward_ms": float(np.median(forward)), "forward_min_ms": min(forward)}
    if args.forward_only:
        print(json.dumps(result))
        return
    try:
        from pytorch_grad_cam.utils.image import scale_cam_image, show_cam_on_image
        from pytorch_grad_cam.utils.svd_on_activations import get_2d_projection

        def end_to_end():
            bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            inp, rgb = preprocess(bgr)
            _, acts = session.run([output, sidecar["cam_layer"]], {spec["name"]: inp})
            cam = np.maximum(get_2d_projection(acts), 0)
            mask = scale_cam_image(cam, (rgb.shape[1], rgb.shape[0]))[0]
            mask = scale_cam_image(mask[None])[0]
            overlay = show_cam_on_image(np.float32(rgb) / 255, mask, use_rgb=True)
            cv2.imencode(".png", cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))

        result["end_to_end_ms"] = timed(end_to_end, runs=10, warmup=2)
        result["peer"] = f"onnxruntime {ort.__version__} (2 threads) + pytorch-grad-cam"
    except ImportError:
        result["peer"] = f"onnxruntime {ort.__version__} (2 threads)"
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
