// The chaos run's client-side faults: each on a connection of its own to serve's Invoke API,
// chosen and shaped by the caller's seeded generator (the same seed makes the same bytes).
//
// Thread safety: none needed; each call uses its own connection and the caller's generator.
#ifndef ZEROSTART_TESTS_CHAOS_VANDAL_H_
#define ZEROSTART_TESTS_CHAOS_VANDAL_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "src/benchmark/invoke_client.h"
#include "tests/chaos/outcome.h"
#include "zerostart/status.h"

namespace zerostart::chaos {

// A connection to 127.0.0.1:`port` whose reads give up after `answer_timeout_ms`; with
// `small_window`, a 4 KiB receive window, set before the handshake that announces it (serve's
// writes of a large answer then wait on this client).
Result<benchmark::RawConnection> ConnectClient(uint16_t port, int answer_timeout_ms, bool small_window = false);

struct VandalReport {
  std::string answer;       // NameOf the answer read; kNotRead for the disconnecting faults
  bool ran = false;         // a whole invoke reached serve: it runs (and REPORTs) once
  std::string request_id;   // of the answer, when one was read
};

// Does `fault` (kDisconnectMidRequest .. kStall) to a new connection to 127.0.0.1:`port`. A
// fault that reads an answer waits for it at most `answer_timeout_ms`; none within it is named
// "no answer in time". A connection that cannot be opened is named "cannot connect: ...".
VandalReport Vandalize(Fault fault, uint16_t port, std::string_view tag, int answer_timeout_ms,
                       std::mt19937_64& random);

}  // namespace zerostart::chaos

#endif  // ZEROSTART_TESTS_CHAOS_VANDAL_H_
