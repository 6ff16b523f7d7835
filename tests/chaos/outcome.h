// The faults of the chaos run and the answers Lambda gives them: which fault an invoke or a
// connection carries, how an answer is named ("ok", "Runtime.ExitError: signal: killed", "HTTP
// 400", ...), and which names each fault may get.
//
// An invoke may always lose its environment to a fault it did not carry: the run SIGKILLs
// function processes at random, and makes some environments' runtimes exit during init. Either
// is answered as Lambda answers a runtime that exits (Runtime.ExitError, "signal: killed" or
// "exit status 4"), so every fault admits those two answers beside its own.
//
// Thread safety: pure functions.
#ifndef ZEROSTART_TESTS_CHAOS_OUTCOME_H_
#define ZEROSTART_TESTS_CHAOS_OUTCOME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "src/benchmark/invoke_client.h"

namespace zerostart::chaos {

enum class Fault {
  // Carried by an invoke's event (the test function faulty's actions).
  kEcho,         // a well-behaved invoke: the payload comes back
  kCrash,        // SIGSEGV mid-invoke
  kExit,         // exit(3) mid-invoke
  kHang,         // sleeps past the timeout
  kOutOfMemory,  // touches more memory than the memory setting
  // Done by a client to its connection.
  kDisconnectMidRequest,   // half the body, then close: nothing may run
  kDisconnectMidResponse,  // a whole invoke with a large answer, left after its head
  kMalformed,              // bytes no HTTP/1.1 server may accept
  kTruncated,              // the head cut short, then end of stream
  kStall,                  // half the body, a pause of up to a second, then the rest
  kCount,
};
inline constexpr int kFaultCount = static_cast<int>(Fault::kCount);

// "echo", "crash", ..., as the run's tables name them.
std::string_view FaultName(Fault fault);

// The answers, by name.
inline constexpr std::string_view kOk = "ok";
inline constexpr std::string_view kKilled = "Runtime.ExitError: signal: killed";
inline constexpr std::string_view kInitExit = "Runtime.ExitError: exit status 4";
inline constexpr std::string_view kSegfault = "Runtime.ExitError: signal: segmentation fault";
inline constexpr std::string_view kExit3 = "Runtime.ExitError: exit status 3";
inline constexpr std::string_view kTimedOut = "Sandbox.Timedout";
inline constexpr std::string_view kOutOfMemoryAnswer = "Runtime.OutOfMemory";
inline constexpr std::string_view kBadRequest = "HTTP 400";
inline constexpr std::string_view kClosed = "closed without an answer";
inline constexpr std::string_view kNotRead = "not read (the client had gone)";
inline constexpr std::string_view kHeadThenGone = "200, the client left mid-body";
// The exit status faulty's init exits with when it takes the run's init-exit token.
inline constexpr int kInitExitStatus = 4;

// The event of an invoke that carries `fault` (one of the first five), `tag` making it unique
// and `pad` bytes of padding making it that much larger.
std::string EventFor(Fault fault, std::string_view tag, size_t pad, int out_of_memory_mb);

// The name of `answer` to an invoke whose event was `event`: "ok" for a 200 that echoes it,
// "<errorType>: <exit>" for a runtime's exit, "<errorType>" for other function errors,
// "HTTP <status> <X-Amzn-ErrorType>" for a service error, "wrong body" for a 200 that neither
// echoes nor errs, "closed without an answer" for none.
std::string NameOf(const benchmark::Answer& answer, std::string_view event);

// Whether `fault` may be answered `name` (see the file comment).
bool Allowed(Fault fault, std::string_view name);

}  // namespace zerostart::chaos

#endif  // ZEROSTART_TESTS_CHAOS_OUTCOME_H_
