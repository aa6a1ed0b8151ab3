import FuzzSupport

runFuzzer { bytes, size in
    guard let bytes else { return 0 }
    return fuzz(bytes, size)
}
