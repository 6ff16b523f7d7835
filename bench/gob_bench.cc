// gob_bench: the Gob codec on the go1.x messages (Google Benchmark). Run by
// bench/run_go1x_bench.sh; never by ctest.
//
//   Decode*  : one net/rpc call (Request header + InvokeRequest) as stream bytes, fed to a
//              long-lived Decoder in 64 KiB pieces (as read(2) delivers them), decoded to
//              Values and bound to go1x::InvokeRequest. Type definitions are sent once per
//              stream (first call only, as on a kept connection), so each iteration decodes
//              the steady-state bytes. Bytes/s counts the stream bytes of one call.
//   Encode*  : one net/rpc reply (Response header + InvokeResponse) appended by a long-lived
//              Encoder to a reused output buffer, starting from a go1x::InvokeResponse.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "src/gob/decoder.h"
#include "src/gob/encoder.h"
#include "src/go1x/messages.h"

namespace zerostart {
namespace {

constexpr size_t kReadPiece = 64 * 1024;

go1x::InvokeRequest MakeRequest(size_t payload_bytes) {
  go1x::InvokeRequest request;
  request.payload.assign(payload_bytes, 'a');
  for (size_t i = 0; i < payload_bytes; ++i) request.payload[i] = static_cast<char>('a' + i % 26);
  request.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  request.deadline = {1700000000, 5};
  request.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench";
  return request;
}

// Stream bytes of call number `seq` (the first includes the type definitions).
std::string CallBytes(gob::Encoder& encoder, const go1x::InvokeRequest& request, uint64_t seq) {
  std::string out;
  Status s = encoder.Encode(go1x::ToGob(go1x::RpcRequestHeader{"Function.Invoke", seq}), &out);
  if (s.ok()) s = encoder.Encode(go1x::ToGob(request), &out);
  if (!s.ok()) std::abort();
  return out;
}

void Decode(benchmark::State& state, size_t payload_bytes) {
  gob::Encoder encoder;
  go1x::InvokeRequest request = MakeRequest(payload_bytes);
  std::string first = CallBytes(encoder, request, 1);
  std::string steady = CallBytes(encoder, request, 2);
  gob::Decoder decoder;
  auto decode_call = [&](std::string_view bytes) {
    std::optional<gob::Value> values[2];
    size_t got = 0;
    for (size_t pos = 0; pos < bytes.size() || got < 2;) {
      if (pos < bytes.size()) {
        size_t n = std::min(kReadPiece, bytes.size() - pos);
        decoder.Append(bytes.substr(pos, n));
        pos += n;
      }
      for (;;) {
        Result<std::optional<gob::Value>> v = decoder.Next();
        if (!v.ok()) std::abort();
        if (!v->has_value()) break;
        values[got++] = std::move(**v);
      }
      if (pos >= bytes.size() && got < 2) std::abort();
    }
    go1x::RpcRequestHeader header;
    go1x::InvokeRequest bound;
    if (!go1x::FromGob(*values[0], &header).ok() || !go1x::FromGob(*values[1], &bound).ok()) std::abort();
    if (bound.payload.size() != payload_bytes) std::abort();
    benchmark::DoNotOptimize(bound);
  };
  decode_call(first);
  for (auto _ : state) decode_call(steady);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(steady.size()));
  state.counters["stream_bytes"] = static_cast<double>(steady.size());
}

void Encode(benchmark::State& state, size_t payload_bytes) {
  gob::Encoder encoder;
  std::string out;
  go1x::InvokeResponse response;
  response.payload = MakeRequest(payload_bytes).payload;
  uint64_t seq = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    Status s = encoder.Encode(go1x::ToGob(go1x::RpcResponseHeader{"Function.Invoke", ++seq, ""}), &out);
    if (s.ok()) s = encoder.Encode(go1x::ToGob(response), &out);
    if (!s.ok()) std::abort();
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.counters["stream_bytes"] = static_cast<double>(bytes);
}

void BM_DecodeInvokeRequest_1MiB(benchmark::State& state) { Decode(state, size_t{1} << 20); }
void BM_DecodeInvokeRequest_16B(benchmark::State& state) { Decode(state, 16); }
void BM_EncodeInvokeResponse_1MiB(benchmark::State& state) { Encode(state, size_t{1} << 20); }
void BM_EncodeInvokeResponse_16B(benchmark::State& state) { Encode(state, 16); }

BENCHMARK(BM_DecodeInvokeRequest_1MiB);
BENCHMARK(BM_DecodeInvokeRequest_16B);
BENCHMARK(BM_EncodeInvokeResponse_1MiB);
BENCHMARK(BM_EncodeInvokeResponse_16B);

}  // namespace
}  // namespace zerostart

BENCHMARK_MAIN();
