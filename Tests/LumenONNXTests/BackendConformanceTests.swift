import Foundation
import Testing

@testable import LumenONNX

/// The ONNX backend test suite's node cases (Debian's libonnx-testdata, installed by
/// scripts/setup): every case whose operators Lumen implements passes, or is refused cleanly for
/// a reason listed here. `lumen-bench conformance` prints the same run as a table.
@Suite("ONNX backend conformance (libonnx-testdata)")
struct BackendConformanceTests {
    static let root = URL(fileURLWithPath: "/usr/share/libonnx-testdata/data/node")
    static let installed = FileManager.default.fileExists(atPath: root.path)

    /// Cases of implemented operators that are refused, and why. Each must stay refused with a
    /// typed error (never a mismatch): when one starts passing, drop it from the list.
    static let refused: [String: String] = {
        var list: [String: String] = [:]
        for name in ["averagepool_1d_default", "averagepool_3d_default", "maxpool_1d_default", "maxpool_3d_default"] {
            list["test_\(name)"] = "pooling over 1-D and 3-D maps (images are 2-D)"
        }
        for name in ["convtranspose_1d", "convtranspose_3d"] {
            list["test_\(name)"] = "1-D and 3-D transposed convolution"
        }
        for name in ["batchnorm_epsilon_training_mode", "batchnorm_example_training_mode"] {
            list["test_\(name)"] = "training-mode outputs (running statistics)"
        }
        for name in [
            "training_dropout", "training_dropout_default", "training_dropout_default_mask", "training_dropout_mask",
            "training_dropout_zero_ratio", "training_dropout_zero_ratio_mask",
        ] { list["test_\(name)"] = "Dropout in training mode (random masks)" }
        for name in ["maxpool_with_argmax_2d_precomputed_pads", "maxpool_with_argmax_2d_precomputed_strides"] {
            list["test_\(name)"] = "MaxPool's Indices output"
        }
        for name in [
            "cast_FLOAT_to_STRING", "cast_STRING_to_FLOAT", "castlike_FLOAT_to_STRING_expanded",
            "castlike_STRING_to_FLOAT_expanded",
        ] { list["test_\(name)"] = "string tensors" }
        for name in ["castlike_BFLOAT16_to_FLOAT_expanded", "castlike_FLOAT_to_BFLOAT16_expanded"] {
            list["test_\(name)"] = "the data set's 'like' is [1] where the graph declares [3, 4]"
        }
        list["test_identity_opt"] = "optional values"
        list["test_identity_sequence"] = "sequence values"
        list["test_resize_tf_crop_and_resize"] = "Resize's tf_crop_and_resize mode"
        return list
    }()

    /// Cases whose expected outputs disagree with onnxruntime; Lumen follows onnxruntime (and
    /// PyTorch, which the exports come from). Each must still differ: when one passes, drop it.
    static let differs: [String: String] = [
        "test_resize_downsample_scales_linear_align_corners":
            "align_corners over length·scale − 1 (the reference) rather than the whole-pixel output length − 1 (onnxruntime 1.32, PyTorch)",
        "test_resize_downsample_scales_cubic_align_corners":
            "as the linear case: onnxruntime 1.32 gives 1, 2.5, 4 as Lumen does",
        "test_cast_FLOAT_to_BFLOAT16":
            "onnx 1.12's data truncates to bfloat16; onnxruntime and onnx ≥ 1.14 round to nearest even",
    ]

    static let cases: [BackendCase] = installed ? (try? BackendCase.all(in: root)) ?? [] : []

    @Test(
        "every case of an implemented operator passes or is refused for a listed reason",
        .enabled(if: installed || ProcessInfo.processInfo.environment["CI"] != nil, "libonnx-testdata is not installed")
    )
    func implementedOperatorsPass() throws {
        #expect(Self.cases.count > 900, "the suite has 932 node cases in onnx 1.12")
        var passed = 0
        var claimed = 0
        for c in Self.cases {
            let outcome = c.run()
            guard outcome.isClaimed else { continue }
            claimed += 1
            if outcome == .passed {
                passed += 1
                #expect(
                    Self.refused[c.name] == nil && Self.differs[c.name] == nil,
                    "\(c.name) passes now: drop it from the list"
                )
            } else if Self.differs[c.name] != nil {
                guard case .mismatch = outcome else {
                    Issue.record("\(c.name) should differ, got \(outcome)")
                    continue
                }
            } else if Self.refused[c.name] != nil {
                guard case .refused = outcome else {
                    Issue.record("\(c.name) should be refused cleanly, got \(outcome)")
                    continue
                }
            } else {
                Issue.record("\(c.name): \(outcome)")
            }
        }
        #expect(claimed == passed + Self.refused.count + Self.differs.count, "a listed case did not run")
        #expect(passed >= 570)
    }

    @Test(
        "the cases give the same answers whatever the worker count",
        .enabled(if: installed),
        arguments: [1, 3, 16]
    )
    func workerCounts(workers: Int) {
        let sample = Self.cases.filter { $0.name.hasPrefix("test_conv") || $0.name.hasPrefix("test_resize") }
        #expect(sample.count > 30)
        for c in sample where Self.refused[c.name] == nil && Self.differs[c.name] == nil {
            let outcome = c.run(workers: workers)
            if outcome.isClaimed { #expect(outcome == .passed, "\(c.name) with \(workers) workers") }
        }
    }
}
