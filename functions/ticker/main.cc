// ticker: server-sent events, streamed while the function runs (ticker.h).
#include <chrono>
#include <thread>

#include "functions/ticker/ticker.h"
#include "zerostart/stream.h"

namespace {

void SleepFor(std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }

void Handle(const zerostart::Invocation& invocation, zerostart::ResponseStream& out) {
  zerostart::functions::StreamTicks(invocation, out, SleepFor);
}

}  // namespace

int main() { return zerostart::RunStreaming(Handle); }
