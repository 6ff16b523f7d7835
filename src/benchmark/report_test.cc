#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "src/study/charts.h"
#include "src/study/checks.h"
#include "src/study/output.h"
#include "src/study/report.h"
#include "src/study/report_capture.h"
#include "src/study/report_md.h"
#include "src/study/results_json.h"

namespace zerostart::study {
namespace {

Sample Warm(const std::string& workload, double ms, uint64_t mb, bool warmup = false) {
  Sample s;
  s.kind = "warm";
  s.workload = workload;
  s.warmup = warmup;
  s.ok = true;
  s.client_ms = ms + 0.1;
  s.duration_ms = ms;
  s.max_memory_mb = mb;
  return s;
}

Sample Cold(double ms, uint64_t mb) {
  Sample s;
  s.kind = "cold";
  s.workload = "cold";
  s.ok = true;
  s.client_ms = ms;
  s.duration_ms = ms / 2;
  s.init_duration_ms = ms / 4;
  s.max_memory_mb = mb;
  return s;
}

// kmeans (native) and java-kmeans (jvm) at 128 and 3008 MB with known numbers.
StudyResults Synthetic() {
  StudyResults r;
  r.complete = true;
  r.commit = "abc123";
  r.machine = {"Test CPU", 2, "Linux 6.1", "host"};
  r.started_utc = "2026-12-03T00:00:00Z";
  r.memory_mb = {128, 3008};
  const std::string medium = kKmeansMedium;
  for (int mb : r.memory_mb) {
    CellResult native{"kmeans", "native", "kmeans", mb, {}};
    native.samples = {Cold(1.5, 3), Cold(2.0, 3), Warm(medium, 999, 4, true)};
    const double d = mb == 128 ? 400 : 20;
    for (double x : {d, d * 1.01, d * 0.99, d * 5}) native.samples.push_back(Warm(medium, x, 4));
    CellResult jvm{"java-kmeans", "jvm", "kmeans", mb, {}};
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

TEST(ReportLineTest, ParsesFieldsByName) {
  auto v = ParseReportLine(
      "REPORT RequestId: abc\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t"
      "Max Memory Used: 38 MB\tInit Duration: 0.81 ms\t");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->request_id, "abc");
  EXPECT_DOUBLE_EQ(*v->duration_ms, 12.34);
  EXPECT_DOUBLE_EQ(*v->init_duration_ms, 0.81);
  EXPECT_EQ(*v->max_memory_mb, 38u);
  auto timeout = ParseReportLine("REPORT RequestId: x\tDuration: 1000.00 ms\tStatus: timeout\t");
  EXPECT_EQ(timeout->status, "timeout");
  EXPECT_FALSE(timeout->init_duration_ms.has_value());
  EXPECT_FALSE(ParseReportLine("START RequestId: abc Version: $LATEST").has_value());
}

TEST(ResultsJsonTest, EverySampleAndItsSeries) {
  const nlohmann::json j = ResultsJson(Synthetic());
  for (const char* key : {"schema", "complete", "quick", "commit", "started", "wall_seconds", "machine",
                          "method", "memory_mb", "skipped", "cells"}) {
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

TEST(ChecksTest, ComputedFromTheNumbers) {
  const std::vector<Check> checks = TargetChecks(Synthetic());
  ASSERT_EQ(checks.size(), 6u);
  EXPECT_EQ(checks[0].verdict, "met");           // 400 ms (median of 400,404,396,2000 = 402) < 700
  EXPECT_EQ(checks[1].verdict, "met");           // 4 MB vs 160 MB
  EXPECT_EQ(checks[2].verdict, "met");           // 1.75 ms <= 3 ms
  EXPECT_EQ(checks[3].verdict, "not measured");  // no sin
  EXPECT_EQ(checks[5].verdict, "not measured");  // no 1769 MB
  StudyResults slow = Synthetic();
  slow.cells[0].samples[0].client_ms = 50;
  slow.cells[0].samples[1].client_ms = 50;
  EXPECT_EQ(TargetChecks(slow)[2].verdict, "not met");
  EXPECT_EQ(OriginalClaims(Synthetic()).size(), 6u);
}

TEST(ReportMarkdownTest, Sections) {
  const std::string md = ReportMarkdown(Synthetic(), {{}, "gnuplot not found"});
  for (const char* section : {"# zerostart bench: the study", "## Method", "## Targets, checked",
                              "## The original study's claims beside ours", "## Charts",
                              "No charts: gnuplot not found", "## Results per function",
                              "### kmeans (native)", "### java-kmeans (jvm)", "## Errors",
                              "Runtime.OutOfMemory", "## Skipped functions", "java-sin", "abc123"}) {
    EXPECT_NE(md.find(section), std::string::npos) << section;
  }
  EXPECT_EQ(md.find("INCOMPLETE"), std::string::npos);
  StudyResults partial = Synthetic();
  partial.complete = false;
  EXPECT_NE(ReportMarkdown(partial, {}).find("INCOMPLETE"), std::string::npos);
}

TEST(ChartsTest, ScriptReadsOneDataFilePerSeries) {
  const ChartFiles files = ChartData(Synthetic(), "/scratch");
  EXPECT_EQ(files.charts, (std::vector<std::string>{"duration_vs_memory.svg", "cold_start.svg", "memory_used.svg"}));
  // Warm duration: kmeans and java-kmeans; cold: both; memory: both.
  EXPECT_EQ(files.data.size(), 6u);
  EXPECT_NE(files.script.find("set logscale y"), std::string::npos);
  EXPECT_NE(files.script.find("dashtype 2"), std::string::npos);  // the JVM lines
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
  char dir[] = "/tmp/zs-study-test-XXXXXX";
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
  auto written = WriteReport(Synthetic(), {"/dev/null/study", "", ""});
  EXPECT_EQ(written.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(written.status().message().find("/dev/null"), std::string::npos);
  EXPECT_FALSE(PrepareOutputDir("/proc/version/x").ok());
}

}  // namespace
}  // namespace zerostart::study
