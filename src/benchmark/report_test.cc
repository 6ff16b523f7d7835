#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "src/benchmark/charts.h"
#include "src/benchmark/output.h"
#include "src/benchmark/report.h"
#include "src/benchmark/report_capture.h"
#include "src/benchmark/report_md.h"
#include "src/benchmark/results_json.h"
#include "src/benchmark/testing/samples.h"
#include "src/benchmark/tuning.h"
#include "src/emulator/platform_records.h"

namespace zerostart::benchmark {
namespace {

using testing::Cold;
using testing::Warm;

constexpr char kMedium[] = "n=100000,d=3,k=8";

// kmeans and java-kmeans at 128 and 3008 MB with known numbers.
BenchResults Synthetic() {
  BenchResults r;
  r.complete = true;
  r.arch = "x86_64";
  r.prices = DefaultPrices();
  r.functions = {{"kmeans", "build/bin/kmeans", "build/bin/kmeans", "x86_64"},
                 {"java-kmeans", "jk.zip", "/tmp/x/bootstrap", "x86_64"}};
  r.commit = "abc123";
  r.machine = {"Test CPU", 2, "Linux 6.1", "host"};
  r.started_utc = "2026-12-03T00:00:00Z";
  r.memory_mb = {128, 3008};
  const std::string medium = kMedium;
  for (int mb : r.memory_mb) {
    CellResult native{"kmeans", mb, {}};
    native.samples = {Cold(1.5, 3), Cold(2.0, 3), Warm(medium, 999, 4, true)};
    const double d = mb == 128 ? 400 : 20;
    for (double x : {d, d * 1.01, d * 0.99, d * 5}) native.samples.push_back(Warm(medium, x, 4));
    CellResult jvm{"java-kmeans", mb, {}};
    jvm.samples = {Cold(300, 60), Warm(medium, mb == 128 ? 9000 : 700, 160)};
    Sample failed;
    failed.kind = "warm";
    failed.workload = medium;
    failed.error = "Runtime.OutOfMemory: out of memory";
    jvm.samples.push_back(failed);
    r.cells.push_back(native);
    r.cells.push_back(jvm);
  }
  r.skipped.push_back({"java-sin", "bootstrap missing"});
  return r;
}

// The records are the emulator's own (platform_records.h), as serve prints them.
TEST(PlatformRecordTest, ReadsTheEmulatorsReportRecordByField) {
  const auto now = std::chrono::system_clock::now();
  emulator::PlatformReportFields fields;
  fields.request_id = "abc";
  fields.duration_ms = 12.34;
  fields.billed_duration_ms = 13;
  fields.memory_size_mb = 128;
  fields.max_memory_used_mb = 38;
  fields.init_duration_ms = 0.81;
  auto v = ParsePlatformRecord(emulator::ReportEvent(now, fields));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type, "platform.report");
  ASSERT_TRUE(v->report.has_value());
  EXPECT_EQ(v->report->request_id, "abc");
  EXPECT_DOUBLE_EQ(*v->report->duration_ms, 12.34);
  EXPECT_DOUBLE_EQ(*v->report->init_duration_ms, 0.81);
  EXPECT_EQ(*v->report->max_memory_mb, 38u);
  EXPECT_EQ(v->report->status, "");  // success

  fields.status = "timeout";
  fields.error_type = "Sandbox.Timedout";
  fields.init_duration_ms.reset();
  auto timeout = ParsePlatformRecord(emulator::ReportEvent(now, fields));
  ASSERT_TRUE(timeout.has_value() && timeout->report.has_value());
  EXPECT_EQ(timeout->report->status, "timeout");
  EXPECT_EQ(timeout->report->error_type, "Sandbox.Timedout");
  EXPECT_FALSE(timeout->report->init_duration_ms.has_value());

  auto start = ParsePlatformRecord(emulator::StartEvent(now, "abc", "$LATEST"));
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->type, "platform.start");
  EXPECT_FALSE(start->report.has_value());
}

TEST(PlatformRecordTest, PlainTextAndMalformedLinesAreNotRecords) {
  EXPECT_FALSE(ParsePlatformRecord("START RequestId: abc Version: $LATEST").has_value());
  EXPECT_FALSE(ParsePlatformRecord("REPORT RequestId: abc\tDuration: 1.00 ms\t").has_value());
  EXPECT_FALSE(ParsePlatformRecord("{\"type\":").has_value());
  EXPECT_FALSE(ParsePlatformRecord("[1,2]").has_value());
  EXPECT_FALSE(ParsePlatformRecord("{\"record\":{}}").has_value());  // no type
  auto odd = ParsePlatformRecord(R"({"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":"12"}}})");
  ASSERT_TRUE(odd.has_value() && odd->report.has_value());
  EXPECT_FALSE(odd->report->duration_ms.has_value());  // a string is not a number
  auto negative = ParsePlatformRecord(
      R"({"type":"platform.report","record":{"requestId":"x","metrics":{"maxMemoryUsedMB":-1,"durationMs":1e300}}})");
  ASSERT_TRUE(negative.has_value() && negative->report.has_value());
  EXPECT_FALSE(negative->report->max_memory_mb.has_value());  // not wrapped to 2^64 - 1
  auto fraction = ParsePlatformRecord(R"({"type":"platform.report","record":{"requestId":"x","metrics":{"maxMemoryUsedMB":1.5}}})");
  EXPECT_FALSE(fraction->report->max_memory_mb.has_value());
}

TEST(ReportCaptureTest, KeepsTheEmulatorsReportValuesByRequestId) {
  ReportCapture capture;
  capture.WriteStdout("REPORT RequestId: not-this\tDuration: 1.00 ms\t\n");  // lines are not read
  emulator::ReportFields fields;
  fields.request_id = "abc";
  fields.duration_ms = 12.5;
  fields.max_memory_used_mb = 38;
  fields.init_duration_ms = 0.8;
  fields.status = "error";
  fields.error_type = "Runtime.ExitError";
  capture.OnReport(fields);
  auto values = capture.WaitFor("abc", std::chrono::milliseconds(0));
  ASSERT_TRUE(values.has_value());
  EXPECT_DOUBLE_EQ(*values->duration_ms, 12.5);
  EXPECT_DOUBLE_EQ(*values->init_duration_ms, 0.8);
  EXPECT_EQ(*values->max_memory_mb, 38u);
  EXPECT_EQ(values->error_type, "Runtime.ExitError");
  EXPECT_FALSE(capture.WaitFor("abc", std::chrono::milliseconds(0)).has_value());  // taken once
  EXPECT_FALSE(capture.WaitFor("not-this", std::chrono::milliseconds(0)).has_value());
}

TEST(ResultsJsonTest, EverySampleAndItsSeries) {
  const nlohmann::json j = ResultsJson(Synthetic());
  for (const char* key : {"schema", "complete", "quick", "commit", "started", "wall_seconds", "machine",
                          "method", "memory_mb", "functions", "arch", "prices", "skipped", "tuning", "cells"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["schema"], kResultsSchema);
  EXPECT_EQ(j["machine"]["cpu_model"], "Test CPU");
  ASSERT_EQ(j["cells"].size(), 4u);
  const nlohmann::json& native = j["cells"][0];
  EXPECT_EQ(native["function"], "kmeans");
  EXPECT_EQ(native["samples"].size(), 7u);
  ASSERT_EQ(native["series"].size(), 2u);
  const nlohmann::json& cold = native["series"][0];
  EXPECT_EQ(cold["kind"], "cold");
  EXPECT_EQ(cold["samples"], 2);
  EXPECT_DOUBLE_EQ(cold["client_ms"]["median"].get<double>(), 1.75);
  const nlohmann::json& warm = native["series"][1];
  EXPECT_EQ(warm["samples"], 4);
  EXPECT_EQ(warm["warmups"], 1);
  EXPECT_EQ(warm["duration_ms"]["outliers"], 1);
  EXPECT_TRUE(native["samples"][6]["outlier"].get<bool>());   // d * 5
  EXPECT_FALSE(native["samples"][3]["outlier"].get<bool>());
  EXPECT_TRUE(native["samples"][2]["warmup"].get<bool>());
  EXPECT_TRUE(native["samples"][0]["duration_ms"].is_number());
  const nlohmann::json& jvm = j["cells"][1];
  EXPECT_EQ(jvm["series"][1]["errors"], 1);
  EXPECT_EQ(jvm["samples"][2]["ok"], false);
  EXPECT_TRUE(jvm["samples"][2]["duration_ms"].is_null());
}

TEST(ResultsJsonTest, ReadsBackWhatItWrote) {
  const BenchResults original = Synthetic();
  auto read = ResultsFromJson(ResultsJson(original));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(ResultsJson(*read), ResultsJson(original));
  EXPECT_EQ(ResultsFromJson(nlohmann::json::object()).status().code(), StatusCode::kInvalidArgument);
  nlohmann::json broken = ResultsJson(original);
  broken["cells"][0].erase("samples");
  EXPECT_NE(ResultsFromJson(broken).status().message().find("results.json"), std::string::npos);
}

TEST(ResultsJsonTest, TuningHasEachSettingsCostAndTheBest) {
  const nlohmann::json j = ResultsJson(Synthetic());
  ASSERT_EQ(j["tuning"].size(), 2u);
  const nlohmann::json& kmeans = j["tuning"][0];
  EXPECT_EQ(kmeans["function"], "kmeans");
  ASSERT_EQ(kmeans["settings"].size(), 2u);
  // 128 MB: median of 400, 404, 396, 2000 is 402 ms: 0.2 $/1M + 402 ms * 0.125 GB * 0.0000166667.
  EXPECT_NEAR(kmeans["settings"][0]["cost_per_million"].get<double>(), 0.2 + 402e-3 * 0.125 * 0.0000166667 * 1e6, 1e-9);
  EXPECT_EQ(kmeans["best"]["speed"], 3008);
  // 402 ms * 0.125 GB = 50.25 GB-ms at 128 MB against 21 ms (20.1 rounded up) * 2.9375 GB = 61.7.
  EXPECT_EQ(kmeans["best"]["cost"], 128);
  // java-kmeans failed at both settings: nothing is usable.
  EXPECT_TRUE(j["tuning"][1]["best"]["speed"].is_null());
  EXPECT_FALSE(j["tuning"][1]["settings"][0]["usable"].get<bool>());
}

Sample Failed(const std::string& kind, const std::string& workload, const std::string& error, bool warmup) {
  Sample s;
  s.kind = kind;
  s.workload = workload;
  s.warmup = warmup;
  s.error = error;
  return s;
}

TEST(TuningTest, FailuresCountAgainstThePayloadThatMetThem) {
  BenchResults r;
  r.prices = DefaultPrices();
  r.memory_mb = {128};
  r.functions = {{"f", "f", "f", "arm64"}};
  CellResult cell{"f", 128, {}};
  // The cold start (the first payload's event) timed out; the second payload's warm-up failed.
  cell.samples = {Failed("cold", "cold", "Sandbox.Timedout", false), Warm("first", 10, 5), Warm("first", 10, 5),
                  Failed("warm", "second", "Runtime.ExitError", true), Warm("second", 20, 5), Warm("second", 20, 5),
                  Warm("third", 30, 5, true), Warm("third", 30, 5)};
  r.cells.push_back(cell);
  const std::vector<PayloadTuning> tuning = TuningOf(r);
  ASSERT_EQ(tuning.size(), 3u);
  EXPECT_EQ(tuning[0].settings[0].errors, 1u);
  EXPECT_EQ(tuning[0].settings[0].timeouts, 1u);
  EXPECT_FALSE(tuning[0].best.speed.has_value());
  EXPECT_EQ(tuning[1].settings[0].errors, 1u);  // the failed warm-up
  EXPECT_EQ(tuning[1].settings[0].timeouts, 0u);
  EXPECT_FALSE(tuning[1].settings[0].figures.usable);
  EXPECT_EQ(tuning[2].settings[0].errors, 0u);
  EXPECT_EQ(tuning[2].best.speed, 128);
  // Priced as the function's ELF says: arm64; --arch would price it as given.
  EXPECT_DOUBLE_EQ(tuning[2].settings[0].figures.cost, InvocationCost(r.prices, "arm64", 128, 30));
  r.arch = "x86_64";
  EXPECT_DOUBLE_EQ(TuningOf(r)[2].settings[0].figures.cost, InvocationCost(r.prices, "x86_64", 128, 30));
  const std::string md = ReportMarkdown(r, {});
  EXPECT_NE(md.find("1 failed warm-up(s)"), std::string::npos) << md;
}

TEST(ReportMarkdownTest, Sections) {
  const std::string md = ReportMarkdown(Synthetic(), {{}, "gnuplot not found"});
  for (const char* section : {"# zerostart bench", "## Best memory setting", "## Method", "## Charts",
                              "No charts: gnuplot not found", "## Results per function",
                              "### kmeans", "### java-kmeans", "per 1M invocations", "## Errors",
                              "Runtime.OutOfMemory", "## Skipped functions", "java-sin", "abc123",
                              "us-east-1", "`jk.zip` (bootstrap `/tmp/x/bootstrap`)"}) {
    EXPECT_NE(md.find(section), std::string::npos) << section;
  }
  EXPECT_EQ(md.find("INCOMPLETE"), std::string::npos);
  BenchResults partial = Synthetic();
  partial.complete = false;
  EXPECT_NE(ReportMarkdown(partial, {}).find("INCOMPLETE"), std::string::npos);
}

TEST(ChartsTest, ScriptReadsOneDataFilePerSeries) {
  const ChartFiles files = ChartData(Synthetic(), "/scratch");
  EXPECT_EQ(files.charts, (std::vector<std::string>{"duration_vs_memory.svg", "cost_vs_memory.svg",
                                                    "cold_start.svg", "memory_used.svg"}));
  // Warm duration and cost, cold start and memory: a line each for kmeans and java-kmeans.
  EXPECT_EQ(files.data.size(), 8u);
  EXPECT_NE(files.script.find("set logscale y"), std::string::npos);
  EXPECT_NE(files.script.find("dashtype 2"), std::string::npos);  // the second function's lines
  EXPECT_NE(files.script.find("'/scratch/series0.dat'"), std::string::npos);
  EXPECT_EQ(FindProgram("sh", "/nonexistent:/bin").value(), "/bin/sh");
  EXPECT_EQ(FindProgram("no-such-program-zs", "/bin").status().code(), StatusCode::kNotFound);
}

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WriteReportTest, WritesWholeFilesAndNoTemporaries) {
  char dir[] = "/tmp/zs-bench-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string out = std::string(dir) + "/nested/out";
  auto written = WriteReport(Synthetic(), {out, "", "no gnuplot in this test"});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(List(out), (std::vector<std::string>{"report.md", "results.json"}));
  std::ifstream json(out + "/results.json");
  std::stringstream text;
  text << json.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(text.str())["commit"], "abc123");
  EXPECT_EQ(written->charts_note, "no gnuplot in this test");
  unlink((out + "/report.md").c_str());
  unlink((out + "/results.json").c_str());
  rmdir(out.c_str());
  rmdir((std::string(dir) + "/nested").c_str());
  rmdir(dir);
}

TEST(WriteReportTest, UnwritableFolderIsAnError) {
  // Below a regular file: no folder can be made there, even as root.
  auto written = WriteReport(Synthetic(), {"/dev/null/bench", "", ""});
  EXPECT_EQ(written.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(written.status().message().find("/dev/null"), std::string::npos);
  EXPECT_FALSE(PrepareOutputDir("/proc/version/x").ok());
}

}  // namespace
}  // namespace zerostart::benchmark
