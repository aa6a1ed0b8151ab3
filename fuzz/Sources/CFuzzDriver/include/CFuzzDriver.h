#ifndef C_FUZZ_DRIVER_H
#define C_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that have a main of their own (compiler-rt's
// FuzzerInterface.h). Why the fuzz targets need it: SwiftPM links every executable target with
// `main` defined as `<module>_main`, so libFuzzer's own main is never linked in; each target's
// main.swift calls this instead, with its LLVMFuzzerTestOneInput. Provided by -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
