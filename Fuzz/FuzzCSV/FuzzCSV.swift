import WinbackCSV
import WinbackCore

/// libFuzzer's entry point: the CSV reader, the number parser and the date parser over arbitrary bytes.
///
/// Every input must end in records or a `CSVReadError`, never a crash, a hang or unbounded memory; small
/// buffers and chunks make every refill and growth path run.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reader = CSVReader(source: MemoryByteSource(bytes, chunkSize: 7), bufferSize: 64, maxRecordBytes: 4096)
    let numbers = [DecimalParser(decimalComma: true), DecimalParser(decimalComma: false)]
    let dates = try! DateParser(extraPatterns: ["MM/DD/YYYY", "DD/MM/YY"])
    do {
        while try reader.next() {
            for index in 0..<reader.fieldCount {
                _ = reader.string(index)
                for parser in numbers { _ = parser.parseScaled(reader.field(index)) }
                _ = dates.parse(reader.field(index))
            }
        }
    } catch {}
    return 0
}

/// libFuzzer's driver, for builds where SwiftPM names the executable's entry point itself.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's `main` as `<product>_main`; this one hands over to libFuzzer.
@_cdecl("fuzz_csv_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzCSV($0, $1) }
}
