import WinbackConfig

/// libFuzzer's entry point: the config parser (the byte and syntax checks, TOMLKit's toml++ and winback's key
/// walker) over arbitrary bytes, as `load` reads them, then over the same bytes as text (invalid UTF-8 repaired), so
/// that the syntax check sees what the byte check refuses. Every input must end in a config or a `ConfigError`,
/// never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ConfigLoader.parse(contents: bytes, file: "fuzz.toml")
    _ = try? ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.toml")
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's `main` as `<product>_main`; this one hands over to libFuzzer.
@_cdecl("fuzz_config_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzConfig($0, $1) }
}
