#include "src/benchmark/runner.h"

#include <chrono>

#include "src/benchmark/invoke_client.h"
#include "src/benchmark/report_capture.h"

namespace zerostart::benchmark {
namespace {

// How long to wait for the REPORT line after the answer (the emulator writes it right after).
constexpr std::chrono::milliseconds kReportWait{2000};
// The client gives up this long after the emulator's own invoke timeout should have answered.
constexpr double kClientTimeoutMarginSeconds = 10;

Sample Measure(InvokeClient& client, ReportCapture& capture, const std::string& name,
               const std::string& kind, const std::string& workload, const std::string& payload,
               bool warmup) {
  Sample sample;
  sample.kind = kind;
  sample.workload = workload;
  sample.warmup = warmup;
  const Answer answer = client.Invoke(name, payload);
  sample.client_ms = answer.latency_ms();
  sample.error = ErrorOf(answer);
  sample.ok = sample.error.empty();
  if (!answer.request_id.empty()) {
    if (std::optional<ReportValues> report = capture.WaitFor(answer.request_id, kReportWait)) {
      sample.duration_ms = report->duration_ms;
      sample.init_duration_ms = report->init_duration_ms;
      sample.max_memory_mb = report->max_memory_mb;
      if (sample.ok && !report->error_type.empty()) {
        sample.ok = false;
        sample.error = report->error_type;
      }
    }
  }
  return sample;
}

Sample FailedSample(const std::string& kind, const std::string& workload, const std::string& error) {
  Sample sample;
  sample.kind = kind;
  sample.workload = workload;
  sample.error = error;
  return sample;
}

}  // namespace

std::unique_ptr<emulator::Emulator> Runner::Start(const FunctionPlan& function, int memory_mb,
                                                  emulator::LogSink* sink, std::string* error) {
  emulator::EmulatorOptions options;
  options.function.path = function.bootstrap;
  options.function.name = function.name;
  options.function.memory_mb = memory_mb;  // the limits `serve --memory` applies, as there
  options.function.timeout_seconds = timeout_seconds_;
  options.invoke_address = {"127.0.0.1", 0};
  options.eager = false;  // the first invoke spawns the function: that is the cold start
  options.sink = sink;
  std::lock_guard<std::mutex> lock(mutex_);
  if (cancelled_) {
    *error = "interrupted";
    return nullptr;
  }
  auto started = emulator::Emulator::Start(std::move(options));
  if (!started.ok()) {
    *error = "emulator: " + started.status().message();
    return nullptr;
  }
  current_ = started->get();
  return std::move(started).value();
}

void Runner::Release(std::unique_ptr<emulator::Emulator> emulator) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = nullptr;
  }
  emulator->Stop();
}

void Runner::Cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  if (current_ != nullptr) current_->Stop();  // answers the in-flight invoke, kills the function
}

void Runner::RunCell(const FunctionPlan& function, const Cell& cell, CellResult* out,
                     const SampleCallback& on_sample) {
  const double client_timeout = timeout_seconds_ + kClientTimeoutMarginSeconds;
  const std::string what = function.name + " @ " + std::to_string(cell.memory_mb) + " MB";
  // A sample measured while cancelling is an artefact of the stop, not a measurement.
  auto keep = [&](Sample sample) {
    if (!cancelled_) out->samples.push_back(std::move(sample));
  };

  for (int i = 0; i < cell.cold_starts && !cancelled_; ++i) {
    ReportCapture capture;
    std::string error;
    std::unique_ptr<emulator::Emulator> emulator = Start(function, cell.memory_mb, &capture, &error);
    if (!emulator) {
      keep(FailedSample("cold", "cold", error));
      on_sample(what + ": cold start " + std::to_string(i + 1), cell.cold_cost_ms);
      continue;
    }
    auto client = InvokeClient::Connect({"127.0.0.1", emulator->invoke_port()}, client_timeout);
    keep(client.ok() ? Measure(**client, capture, function.name, "cold", "cold", cell.cold_payload, false)
                     : FailedSample("cold", "cold", "connection: " + client.status().message()));
    Release(std::move(emulator));
    on_sample(what + ": cold start " + std::to_string(i + 1) + "/" + std::to_string(cell.cold_starts),
              cell.cold_cost_ms);
  }
  if (cancelled_ || cell.workloads.empty()) return;

  ReportCapture capture;
  std::string error;
  std::unique_ptr<emulator::Emulator> emulator = Start(function, cell.memory_mb, &capture, &error);
  if (!emulator) {
    keep(FailedSample("warm", cell.workloads.front().label, error));
    return;
  }
  auto client = InvokeClient::Connect({"127.0.0.1", emulator->invoke_port()}, client_timeout);
  if (!client.ok()) {
    keep(FailedSample("warm", cell.workloads.front().label, "connection: " + client.status().message()));
    Release(std::move(emulator));
    return;
  }
  // The spawn: a warm-up of the first workload (its process start is the cold samples' subject).
  const Workload& first = cell.workloads.front();
  keep(Measure(**client, capture, function.name, "warm", first.label, first.payload, true));
  on_sample(what + ": start of the warm series", cell.cold_cost_ms);
  for (const Workload& workload : cell.workloads) {
    const int total = workload.warmups + workload.samples;
    for (int i = 0; i < total && !cancelled_; ++i) {
      const bool warmup = i < workload.warmups;
      keep(Measure(**client, capture, function.name, "warm", workload.label, workload.payload, warmup));
      on_sample(what + ": " + workload.label + (warmup ? " warm-up " : " sample ") +
                    std::to_string(warmup ? i + 1 : i + 1 - workload.warmups) + "/" +
                    std::to_string(warmup ? workload.warmups : workload.samples),
                workload.cost_ms);
    }
  }
  Release(std::move(emulator));
}

}  // namespace zerostart::benchmark
