import CFuzzDriver
import Foundation

/// Runs libFuzzer with this process's arguments and `callback` as LLVMFuzzerTestOneInput; exits
/// with libFuzzer's status. Called from each target's main.swift (see CFuzzDriver.h for why).
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}
