// Random identifiers the emulator hands out: request ids (UUID v4, as Lambda's), X-Ray trace
// ids, and the hex suffix of log stream names.
// Thread safety: all functions are safe to call concurrently (one generator per thread).
#ifndef ZEROSTART_SRC_EMULATOR_IDS_H_
#define ZEROSTART_SRC_EMULATOR_IDS_H_

#include <chrono>
#include <cstddef>
#include <string>

namespace zerostart::emulator {

// A random UUID version 4, lowercase "xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx" (N in 8..b).
std::string NewRequestId();

// `digits` random lowercase hex digits.
std::string RandomHex(size_t digits);

// An X-Ray trace header as Lambda passes it on when the caller sent none:
// "Root=1-<8 hex: unix seconds of now>-<24 hex>;Parent=<16 hex>;Sampled=0".
std::string NewTraceId(std::chrono::system_clock::time_point now);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_IDS_H_
