#!/usr/bin/env python3
"""Builds fixtures/onnx/: one small graph per operator and attribute path (onnx.helper), with
seeded inputs and onnxruntime's outputs saved as .npy, plus a manifest. Lumen's runtime must match
onnxruntime within 1e-4 relative (1e-5 absolute).

Usage: pip install onnx onnxruntime numpy && python3 scripts/make-onnx-fixtures.py
"""
import json
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "onnx" / "ops"
rng = np.random.default_rng(17)
manifest = []
INT_OUTPUTS = {"rng"}


def f32(*shape, scale=1.0):
    return (rng.normal(0, 1, shape) * scale).astype(np.float32)


def case(name, nodes, inputs, outputs, initializers=(), opset=17):
    """inputs: dict name -> array; outputs: list of names."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(k, TensorProto.FLOAT if v.dtype == np.float32 else TensorProto.INT64, list(v.shape)) for k, v in inputs.items()],
        [helper.make_tensor_value_info(o, TensorProto.INT64 if o in INT_OUTPUTS else TensorProto.FLOAT, None) for o in outputs],
        [numpy_helper.from_array(v, k) for k, v in initializers],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="lumen-fixtures")
    model.ir_version = 8
    # (onnx.checker insists on output shapes; onnxruntime validates the graph when it loads it.)
    path = OUT / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    results = session.run(outputs, inputs)
    for k, v in inputs.items():
        np.save(OUT / f"{name}.in.{k}.npy", v)
    for k, v in zip(outputs, results):
        np.save(OUT / f"{name}.out.{k}.npy", np.asarray(v).astype(np.float32) if np.asarray(v).dtype != np.int64 else np.asarray(v))
    manifest.append({"name": name, "inputs": list(inputs), "outputs": outputs})


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    x = f32(1, 4, 9, 11)
    N = helper.make_node
    case("conv_pads_strides", [N("Conv", ["x", "w", "b"], ["y"], pads=[1, 2, 0, 1], strides=[2, 1])], {"x": x}, ["y"],
         [("w", f32(6, 4, 3, 3)), ("b", f32(6))])
    case("conv_groups_dilation", [N("Conv", ["x", "w"], ["y"], group=2, dilations=[2, 2], pads=[2, 2, 2, 2])], {"x": x}, ["y"], [("w", f32(6, 2, 3, 3))])
    case("conv_same_upper", [N("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER", strides=[2, 2])], {"x": x}, ["y"], [("w", f32(5, 4, 3, 3))])
    case("conv_same_lower", [N("Conv", ["x", "w"], ["y"], auto_pad="SAME_LOWER", strides=[2, 2])], {"x": x}, ["y"], [("w", f32(5, 4, 4, 4))])
    case("conv_valid", [N("Conv", ["x", "w"], ["y"], auto_pad="VALID")], {"x": x}, ["y"], [("w", f32(3, 4, 2, 5))])
    case("conv_depthwise", [N("Conv", ["x", "w", "b"], ["y"], group=4, pads=[1, 1, 1, 1], strides=[2, 2])], {"x": x}, ["y"], [("w", f32(4, 1, 3, 3)), ("b", f32(4))])
    case("conv_pointwise", [N("Conv", ["x", "w", "b"], ["y"])], {"x": x}, ["y"], [("w", f32(7, 4, 1, 1)), ("b", f32(7))])
    case("batchnorm", [N("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], epsilon=1e-3)], {"x": x}, ["y"],
         [("s", f32(4)), ("b", f32(4)), ("m", f32(4)), ("v", np.abs(f32(4)) + 0.5)])
    a2, b2 = f32(5, 7), f32(3, 7)
    case("gemm_transb_bias", [N("Gemm", ["a", "b", "c"], ["y"], transB=1, alpha=0.5, beta=2.0)], {"a": a2}, ["y"], [("b", b2), ("c", f32(3))])
    case("gemm_transa", [N("Gemm", ["a", "b"], ["y"], transA=1)], {"a": f32(7, 5)}, ["y"], [("b", f32(7, 3))])
    case("matmul_batched", [N("MatMul", ["a", "b"], ["y"])], {"a": f32(2, 3, 4)}, ["y"], [("b", f32(4, 6))])
    case("add_channel_broadcast", [N("Add", ["x", "c"], ["y"])], {"x": x}, ["y"], [("c", f32(4, 1, 1))])
    case("mul_general_broadcast", [N("Mul", ["x", "c"], ["y"])], {"x": x}, ["y"], [("c", f32(1, 1, 9, 1))])
    case("sub_div", [N("Sub", ["x", "c"], ["t"]), N("Div", ["t", "d"], ["y"])], {"x": x}, ["y"], [("c", f32(11)), ("d", np.array(2.5, np.float32))])
    for op, kw in [("Relu", {}), ("LeakyRelu", {"alpha": 0.2}), ("Sigmoid", {}), ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}),
                   ("HardSwish", {}), ("Tanh", {}), ("Identity", {})]:
        case(f"act_{op.lower()}", [N(op, ["x"], ["y"], **kw)], {"x": f32(2, 3, 4, 5, scale=3)}, ["y"])
    case("clip_inputs", [N("Clip", ["x", "lo", "hi"], ["y"])], {"x": f32(2, 3, 4, scale=4)}, ["y"],
         [("lo", np.array(0, np.float32)), ("hi", np.array(6, np.float32))])
    case("softmax_axis1_v13", [N("Softmax", ["x"], ["y"], axis=1)], {"x": f32(2, 5, 3)}, ["y"], opset=13)
    case("softmax_v11_flatten", [N("Softmax", ["x"], ["y"], axis=1)], {"x": f32(2, 5, 3)}, ["y"], opset=11)
    case("maxpool_pads_ceil", [N("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)], {"x": x}, ["y"])
    case("maxpool_same_upper", [N("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2], auto_pad="SAME_UPPER")], {"x": x}, ["y"])
    case("avgpool_include_pad", [N("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1)], {"x": x}, ["y"])
    case("avgpool_exclude_pad", [N("AveragePool", ["x"], ["y"], kernel_shape=[2, 3], strides=[2, 2], pads=[0, 1, 0, 1])], {"x": x}, ["y"])
    case("global_average_pool", [N("GlobalAveragePool", ["x"], ["y"])], {"x": x}, ["y"])
    case("concat_split", [N("Concat", ["x", "x"], ["c"], axis=1), N("Split", ["c"], ["s0", "s1", "s2"], axis=1, split=[2, 3, 3])], {"x": x}, ["s0", "s1", "s2"], opset=11)
    case("split_v13_input", [N("Split", ["x", "sizes"], ["s0", "s1"], axis=3)], {"x": x}, ["s0", "s1"], [("sizes", np.array([4, 7], np.int64))], opset=13)
    case("slice_negative_step", [N("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], {"x": x}, ["y"],
         [("st", np.array([-1, 8], np.int64)), ("en", np.array([-100, 1], np.int64)), ("ax", np.array([3, 2], np.int64)), ("sp", np.array([-2, -3], np.int64))])
    case("slice_clamped", [N("Slice", ["x", "st", "en"], ["y"])], {"x": x}, ["y"],
         [("st", np.array([0, 1, 2, -5], np.int64)), ("en", np.array([1, 100, 7, 2**62], np.int64))])
    case("transpose_flatten", [N("Transpose", ["x"], ["t"], perm=[0, 2, 3, 1]), N("Flatten", ["t"], ["y"], axis=2)], {"x": x}, ["y"])
    case("reshape_zero_minus_one", [N("Reshape", ["x", "s"], ["y"])], {"x": x}, ["y"], [("s", np.array([0, -1, 11], np.int64))])
    for mode in ["constant", "reflect", "edge"]:
        case(f"pad_{mode}", [N("Pad", ["x", "p", "v"], ["y"], mode=mode)], {"x": x}, ["y"],
             [("p", np.array([0, 0, 1, 2, 0, 1, 2, 1], np.int64)), ("v", np.array(1.5, np.float32))])
    case("reducemean_keepdims", [N("ReduceMean", ["x"], ["y"], axes=[2, 3], keepdims=1)], {"x": x}, ["y"], opset=13)
    case("reducemean_v18_input", [N("ReduceMean", ["x", "ax"], ["y"], keepdims=0)], {"x": x}, ["y"], [("ax", np.array([1], np.int64))], opset=18)
    # Shape arithmetic, as dynamic-shape exports produce it.
    case("shape_chain", [
        N("Shape", ["x"], ["shp"]),
        N("Gather", ["shp", "i0"], ["n"], axis=0),
        N("Unsqueeze", ["n", "ax0"], ["n1"]),
        N("Constant", [], ["minus"], value=numpy_helper.from_array(np.array([-1], np.int64))),
        N("Concat", ["n1", "minus"], ["target"], axis=0),
        N("Reshape", ["x", "target"], ["flat"]),
        N("Cast", ["shp"], ["shpf"], to=TensorProto.FLOAT),
        N("Range", ["r0", "r1", "r2"], ["rng"]),
        N("ConstantOfShape", ["target2"], ["ones"], value=numpy_helper.from_array(np.array([1.0], np.float32))),
        N("Expand", ["c3", "target3"], ["expanded"]),
        N("Squeeze", ["x1", "ax0"], ["sq"]),
    ], {"x": x, "x1": f32(1, 3, 2)}, ["flat", "shpf", "rng", "ones", "expanded", "sq"],
        [("i0", np.array(0, np.int64)), ("ax0", np.array([0], np.int64)), ("r0", np.array(2, np.int64)), ("r1", np.array(11, np.int64)),
         ("r2", np.array(3, np.int64)), ("target2", np.array([2, 3], np.int64)), ("c3", f32(3, 1)), ("target3", np.array([2, 3, 4], np.int64))], opset=13)
    case("unsqueeze_squeeze_v11", [N("Unsqueeze", ["x"], ["u"], axes=[0, 3]), N("Squeeze", ["u"], ["y"], axes=[0])], {"x": f32(3, 4, 5)}, ["y"], opset=11)
    case("constant_float_attr", [N("Constant", [], ["c"], value_float=2.5), N("Mul", ["x", "c"], ["y"])], {"x": f32(2, 3)}, ["y"], opset=13)
    # Resize: every coordinate mode PyTorch exports use, nearest and linear, scales and sizes.
    small = f32(1, 2, 5, 7)
    empty = np.array([], np.float32)
    for transform in ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"]:
        case(f"resize_linear_{transform}", [N("Resize", ["x", "roi", "scales"], ["y"], mode="linear", coordinate_transformation_mode=transform)],
             {"x": small}, ["y"], [("roi", empty), ("scales", np.array([1, 1, 2.0, 1.5], np.float32))], opset=13)
    for nearest in ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]:
        case(f"resize_nearest_{nearest}", [N("Resize", ["x", "roi", "scales"], ["y"], mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode=nearest)],
             {"x": small}, ["y"], [("roi", empty), ("scales", np.array([1, 1, 2.0, 2.0], np.float32))], opset=13)
    case("resize_linear_sizes_down", [N("Resize", ["x", "roi", "", "sizes"], ["y"], mode="linear")], {"x": f32(1, 2, 9, 12)}, ["y"],
         [("roi", empty), ("sizes", np.array([1, 2, 4, 5], np.int64))], opset=13)
    # ConvTranspose: stride 2 with pads and output padding, groups, dilation.
    case("convtranspose_stride2", [N("ConvTranspose", ["x", "w", "b"], ["y"], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 0])],
         {"x": f32(1, 4, 5, 6)}, ["y"], [("w", f32(4, 3, 3, 3)), ("b", f32(3))])
    case("convtranspose_groups_dilation", [N("ConvTranspose", ["x", "w"], ["y"], group=2, dilations=[2, 1], strides=[1, 2])],
         {"x": f32(1, 4, 5, 6)}, ["y"], [("w", f32(4, 2, 2, 3))])
    # Conv → BatchNormalization → Relu, folded and fused at load time.
    case("conv_bn_relu", [N("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), N("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"]), N("Relu", ["n"], ["y"])],
         {"x": x}, ["y"], [("w", f32(6, 4, 3, 3)), ("s", f32(6)), ("b", f32(6)), ("m", f32(6)), ("v", np.abs(f32(6)) + 0.5)])
    # External data: the weights live in a separate file next to the model.
    external = OUT / "conv_external.onnx"
    graph = helper.make_graph([N("Conv", ["x", "w"], ["y"])], "ext", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 9, 11])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [numpy_helper.from_array(f32(5, 4, 3, 3), "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    # (onnx appends to an existing weights file, so a rerun would otherwise double it.)
    (OUT / "conv_external.weights").unlink(missing_ok=True)
    onnx.save_model(model, str(external), save_as_external_data=True, all_tensors_to_one_file=True, location="conv_external.weights", size_threshold=0)
    result = ort.InferenceSession(str(external), providers=["CPUExecutionProvider"]).run(["y"], {"x": x})[0]
    np.save(OUT / "conv_external.in.x.npy", x)
    np.save(OUT / "conv_external.out.y.npy", result)
    manifest.append({"name": "conv_external", "inputs": ["x"], "outputs": ["y"]})
    # A classifier head: one row times Bᵀ plus a bias (Lumen's matrix–vector kernel), with row and
    # column counts that leave partial groups of 4 rows and 16 columns.
    case("gemm_row_classifier", [N("Gemm", ["a", "b", "c"], ["y"], transB=1)], {"a": f32(1, 520)}, ["y"], [("b", f32(131, 520)), ("c", f32(131))])
    # Squeeze-excitation blocks as real exports have them: PaddleOCR's (opset 11, 88 channels,
    # HardSigmoid gate, scale as the first Mul operand, then a stride (2,1) convolution) and
    # MobileNetV3's (480-channel expand, depthwise, 1×1 squeeze/excite on a 1×1 map, project).
    case("se_block_paddle", [
        N("GlobalAveragePool", ["x"], ["p"]), N("Conv", ["p", "w1", "b1"], ["s1"]), N("Relu", ["s1"], ["r"]),
        N("Conv", ["r", "w2", "b2"], ["s2"]), N("HardSigmoid", ["s2"], ["g"], alpha=0.2, beta=0.5), N("Mul", ["g", "x"], ["e"]),
        N("Conv", ["e", "w3", "b3"], ["c"], strides=[2, 1], pads=[1, 1, 1, 1]), N("Relu", ["c"], ["y"])],
        {"x": f32(1, 88, 8, 20)}, ["y"],
        [("w1", f32(22, 88, 1, 1, scale=0.2)), ("b1", f32(22)), ("w2", f32(88, 22, 1, 1, scale=0.3)), ("b2", f32(88)),
         ("w3", f32(104, 88, 3, 3, scale=0.05)), ("b3", f32(104))], opset=11)
    case("se_block_mbconv", [
        N("Conv", ["x", "w1", "b1"], ["e"]), N("Relu", ["e"], ["er"]),
        N("Conv", ["er", "w2", "b2"], ["d"], group=480, strides=[2, 2], pads=[1, 1, 1, 1]), N("Relu", ["d"], ["dr"]),
        N("GlobalAveragePool", ["dr"], ["p"]), N("Conv", ["p", "w3", "b3"], ["s1"]), N("Relu", ["s1"], ["r"]),
        N("Conv", ["r", "w4", "b4"], ["s2"]), N("Sigmoid", ["s2"], ["g"]), N("Mul", ["dr", "g"], ["m"]),
        N("Conv", ["m", "w5", "b5"], ["y"])],
        {"x": f32(1, 24, 6, 6)}, ["y"],
        [("w1", f32(480, 24, 1, 1, scale=0.2)), ("b1", f32(480)), ("w2", f32(480, 1, 3, 3, scale=0.3)), ("b2", f32(480)),
         ("w3", f32(120, 480, 1, 1, scale=0.05)), ("b3", f32(120)), ("w4", f32(480, 120, 1, 1, scale=0.1)), ("b4", f32(480)),
         ("w5", f32(200, 480, 1, 1, scale=0.05)), ("b5", f32(200))], opset=13)
    # Operators the conformance zoo reaches (ConvNeXt, YOLO attention), and broadcasting corners.
    case("pow_sqrt_erf", [N("Pow", ["x", "e"], ["p"]), N("Sqrt", ["p"], ["s"]), N("Erf", ["s"], ["y"])],
         {"x": f32(2, 3, 5)}, ["y"], [("e", np.array(2.0, np.float32))], opset=13)
    case("gelu_v20", [N("Gelu", ["x"], ["y"])], {"x": f32(2, 3, 5, scale=2)}, ["y"], opset=20)
    case("gelu_tanh_v20", [N("Gelu", ["x"], ["y"], approximate="tanh")], {"x": f32(2, 3, 5, scale=2)}, ["y"], opset=20)
    case("unary_exp_log_neg_abs_reciprocal", [N("Abs", ["x"], ["a"]), N("Exp", ["a"], ["e"]), N("Log", ["e"], ["l"]),
         N("Neg", ["l"], ["n"]), N("Reciprocal", ["n"], ["y"])], {"x": f32(3, 4) + 0.5}, ["y"], opset=13)
    case("layernorm_last_axis", [N("LayerNormalization", ["x", "s", "b"], ["y"], epsilon=1e-6)], {"x": f32(1, 5, 6, 8, scale=3)}, ["y"],
         [("s", f32(8)), ("b", f32(8))], opset=17)
    case("layernorm_axis1_noscale_bias", [N("LayerNormalization", ["x", "s"], ["y"], axis=1)], {"x": f32(2, 3, 4)}, ["y"],
         [("s", f32(3, 4))], opset=17)
    case("matmul_batched_broadcast", [N("MatMul", ["a", "b"], ["y"])], {"a": f32(2, 3, 5, 4), "b": f32(3, 4, 6)}, ["y"], opset=13)
    case("matmul_attention", [N("MatMul", ["q", "k"], ["s"]), N("Softmax", ["s"], ["w"], axis=-1), N("MatMul", ["w", "v"], ["y"])],
         {"q": f32(1, 2, 16, 8), "k": f32(1, 2, 8, 16), "v": f32(1, 2, 16, 8)}, ["y"], opset=13)
    case("mul_scale_first", [N("Mul", ["s", "x"], ["y"])], {"x": f32(2, 6, 5, 7), "s": f32(1, 6, 1, 1)}, ["y"], opset=13)
    case("add_last_axis_broadcast", [N("Add", ["x", "b"], ["y"])], {"x": f32(1, 7, 5, 7)}, ["y"], [("b", f32(7))], opset=13)
    # Operators whose ONNX backend test cases declare an opset below 11 (so the conformance run
    # skips them) get their reference here, at opset 17.
    # (each function on inputs inside its domain: u in (-0.9, 0.9), v ≥ 1; Sum and Mean add the lot)
    u = rng.uniform(-0.9, 0.9, (3, 5)).astype(np.float32)
    case("unary_trig_hyperbolic", [N("Sin", ["x"], ["a"]), N("Cos", ["x"], ["b"]), N("Tan", ["u"], ["c"]), N("Atan", ["x"], ["d"]),
         N("Asin", ["u"], ["e"]), N("Acos", ["u"], ["f"]), N("Atanh", ["u"], ["g"]), N("Sinh", ["x"], ["h"]), N("Cosh", ["x"], ["i"]),
         N("Asinh", ["x"], ["j"]), N("Abs", ["x"], ["ax"]), N("Add", ["ax", "one"], ["v"]), N("Acosh", ["v"], ["k"]),
         N("Sum", ["a", "b", "c", "d", "e", "f"], ["s1"]), N("Mean", ["g", "h", "i", "j", "k"], ["s2"]), N("Concat", ["s1", "s2", "k"], ["y"], axis=0)],
         {"x": f32(3, 5), "u": u}, ["y"], [("one", np.array(1.0, np.float32))])
    for op, kw in [("Selu", {}), ("Selu", {"alpha": 1.5, "gamma": 2.0}), ("Softplus", {}), ("Softsign", {}),
                   ("ThresholdedRelu", {"alpha": 0.7}), ("Mish", {}), ("Shrink", {"bias": 0.3, "lambd": 0.8}), ("Elu", {"alpha": 0.4})]:
        suffix = "_attrs" if kw and op == "Selu" else ""
        case(f"act_{op.lower()}{suffix}", [N(op, ["x"], ["y"], **kw)], {"x": np.concatenate([f32(2, 3, 4, 5, scale=3).ravel(), [30, -30, 0]]).astype(np.float32)}, ["y"],
             opset=18 if op == "Mish" else 17)
    a, b = f32(3, 4), f32(1, 4)
    case("logic_and_xor_not_isinf", [N("Greater", ["a", "b"], ["g"]), N("Less", ["a", "z"], ["l"]), N("And", ["g", "l"], ["n"]),
         N("Xor", ["g", "l"], ["x"]), N("Not", ["x"], ["nx"]), N("Or", ["n", "nx"], ["o"]), N("Div", ["a", "zf"], ["q"]),
         N("IsInf", ["q"], ["i"], detect_negative=0), N("Xor", ["o", "i"], ["r"]), N("Where", ["r", "a", "b"], ["y"])],
         {"a": a, "b": b}, ["y"], [("z", np.array(0.3, np.float32)), ("zf", np.array([0, 1, 0, 1], np.float32))])
    case("instance_norm", [N("InstanceNormalization", ["x", "s", "b"], ["y"], epsilon=1e-4)], {"x": f32(2, 3, 5, 7, scale=2) + 1}, ["y"],
         [("s", f32(3)), ("b", f32(3))])
    case("reduce_max_argmax_topk", [N("ReduceMax", ["x", "ax"], ["m"], keepdims=1), N("Sub", ["x", "m"], ["d"]),
         N("ReduceLogSumExp", ["d", "ax"], ["l"], keepdims=0), N("TopK", ["x", "k"], ["t", "ti"], axis=1), N("ArgMax", ["t"], ["am"], axis=2),
         N("Cast", ["am"], ["amf"], to=1), N("ReduceSum", ["t", "ax2"], ["s"], keepdims=0), N("Concat", ["l", "s"], ["y"], axis=1)],
         {"x": f32(2, 6, 5)}, ["y", "amf"], [("ax", np.array([2], np.int64)), ("ax2", np.array([1], np.int64)), ("k", np.array([3], np.int64))], opset=18)
    case("tile_depth_to_space_gather_elements", [N("Tile", ["x", "r"], ["t"]), N("DepthToSpace", ["t"], ["d"], blocksize=2, mode="CRD"),
         N("GatherElements", ["d", "i"], ["g"], axis=3), N("SpaceToDepth", ["g"], ["y"], blocksize=2)],
         {"x": f32(1, 4, 3, 2)}, ["y"], [("r", np.array([1, 2, 1, 2], np.int64)), ("i", rng.integers(-8, 8, (1, 2, 6, 4)).astype(np.int64))])
    (OUT.parent / "ops_manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(manifest)} operator cases to {OUT}")


if __name__ == "__main__":
    main()
