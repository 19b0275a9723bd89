import LumenFuzzTargets

// Built with `-sanitize=fuzzer,address -DFUZZING` (make fuzz) this is the program: SwiftPM links
// an executable's entry point as `lumen_fuzz_main`, which hands control to libFuzzer's driver;
// the target is chosen by LUMEN_FUZZ_TARGET.
#if FUZZING
private let target = FuzzTarget.fromEnvironment ?? .onnx

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    target.run(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("lumen_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
#endif
