#include "src/benchmark/results_json.h"

#include "src/benchmark/series.h"
#include "src/benchmark/tuning.h"

namespace zerostart::benchmark {
namespace {

template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json CellJson(const CellResult& cell) {
  nlohmann::json series = nlohmann::json::array();
  for (const Series& s : SeriesOf(cell)) {
    series.push_back({{"kind", s.kind},
                      {"workload", s.workload},
                      {"samples", s.client_ms.count},
                      {"warmups", s.warmups},
                      {"errors", s.errors},
                      {"warmup_errors", s.warmup_errors},
                      {"timeouts", s.timeouts},
                      {"error_examples", s.error_examples},
                      {"client_ms", SummaryJson(s.client_ms)},
                      {"duration_ms", SummaryJson(s.duration_ms)},
                      {"init_duration_ms", SummaryJson(s.init_duration_ms)},
                      {"max_memory_mb", SummaryJson(s.max_memory_mb)}});
  }
  const std::vector<bool> outliers = SampleOutliers(cell);
  nlohmann::json samples = nlohmann::json::array();
  for (size_t i = 0; i < cell.samples.size(); ++i) {
    const Sample& s = cell.samples[i];
    samples.push_back({{"kind", s.kind},
                       {"workload", s.workload},
                       {"warmup", s.warmup},
                       {"ok", s.ok},
                       {"error", s.error},
                       {"client_ms", s.client_ms},
                       {"duration_ms", OrNull(s.duration_ms)},
                       {"init_duration_ms", OrNull(s.init_duration_ms)},
                       {"max_memory_mb", OrNull(s.max_memory_mb)},
                       {"outlier", static_cast<bool>(outliers[i])}});
  }
  return {{"function", cell.function},
          {"memory_mb", cell.memory_mb},
          {"series", std::move(series)},
          {"samples", std::move(samples)}};
}

nlohmann::json TuningJson(const BenchResults& results) {
  nlohmann::json out = nlohmann::json::array();
  auto best = [](const std::optional<int>& mb) { return mb ? nlohmann::json(*mb) : nlohmann::json(nullptr); };
  for (const PayloadTuning& t : TuningOf(results)) {
    nlohmann::json settings = nlohmann::json::array();
    for (const SettingCost& s : t.settings) {
      settings.push_back({{"memory_mb", s.figures.memory_mb},
                          {"duration_ms", s.figures.duration_ms},
                          {"cost_per_invocation", s.figures.cost},
                          {"cost_per_million", s.figures.cost * 1e6},
                          {"samples", s.samples},
                          {"errors", s.errors},
                          {"timeouts", s.timeouts},
                          {"usable", s.figures.usable}});
    }
    out.push_back({{"function", t.function},
                   {"workload", t.workload},
                   {"settings", std::move(settings)},
                   {"best", {{"speed", best(t.best.speed)}, {"cost", best(t.best.cost)}, {"balanced", best(t.best.balanced)}}}});
  }
  return out;
}

}  // namespace

nlohmann::json SummaryJson(const Summary& s) {
  return {{"count", s.count}, {"min", s.min},   {"p10", s.p10}, {"q1", s.q1},
          {"median", s.median}, {"q3", s.q3}, {"p90", s.p90}, {"max", s.max},
          {"mean", s.mean},   {"outliers", s.outliers}};
}

nlohmann::json ResultsJson(const BenchResults& results) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const SkippedFunction& s : results.skipped) {
    skipped.push_back({{"function", s.function}, {"reason", s.reason}});
  }
  nlohmann::json cells = nlohmann::json::array();
  for (const CellResult& cell : results.cells) cells.push_back(CellJson(cell));
  nlohmann::json functions = nlohmann::json::array();
  for (const FunctionInfo& f : results.functions) {
    functions.push_back({{"name", f.name}, {"source", f.source}, {"bootstrap", f.bootstrap}, {"arch", f.arch}});
  }
  return {
      {"schema", kResultsSchema},
      {"complete", results.complete},
      {"quick", results.quick},
      {"commit", results.commit},
      {"started", results.started_utc},
      {"wall_seconds", results.wall_seconds},
      {"machine",
       {{"cpu_model", results.machine.cpu_model},
        {"cores", results.machine.cores},
        {"kernel", results.machine.kernel},
        {"hostname", results.machine.hostname}}},
      {"method",
       {{"warmups", "the first invoke of each warm series (the spawn) and each workload's warm-up "
                    "invokes are recorded with warmup=true and left out of the statistics"},
        {"outliers", "flagged (not removed) beyond 1.5 IQR outside the quartiles (Tukey), per "
                     "series, on REPORT Duration (warm) or client time (cold)"},
        {"percentiles", "linear interpolation between order statistics (type 7)"},
        {"cold_start", "a fresh emulator and function process per sample; client time = request "
                       "written -> response read, spawn included"},
        {"cost", "per warm invocation: the request fee plus the median warm REPORT Duration, "
                 "rounded up to 1 ms, times memory / 1024 GB times the price per GB-second of the "
                 "function's arch"},
        {"best", "speed: shortest median Duration; cost: cheapest duration cost; balanced: least "
                 "0.5 * duration cost / max + 0.5 * duration / max (Power Tuning's analyzer, no "
                 "request fee); among settings without a failed invoke or warm-up"}}},
      {"memory_mb", results.memory_mb},
      {"functions", std::move(functions)},
      {"arch", results.arch},
      {"prices",
       {{"region", results.prices.region},
        {"date", results.prices.date},
        {"source", results.prices.source},
        {"x86_64_per_gb_second", results.prices.x86_64_per_gb_second},
        {"arm64_per_gb_second", results.prices.arm64_per_gb_second},
        {"per_million_requests", results.prices.per_request * 1e6}}},
      {"skipped", std::move(skipped)},
      {"tuning", TuningJson(results)},
      {"cells", std::move(cells)},
  };
}

Result<BenchResults> ResultsFromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("schema", "") != kResultsSchema) {
    return InvalidArgumentError(std::string("not a results.json of schema ") + kResultsSchema);
  }
  try {
    BenchResults r;
    r.complete = j.at("complete").get<bool>();
    r.quick = j.at("quick").get<bool>();
    r.commit = j.at("commit").get<std::string>();
    r.started_utc = j.at("started").get<std::string>();
    r.wall_seconds = j.at("wall_seconds").get<double>();
    const nlohmann::json& machine = j.at("machine");
    r.machine = {machine.at("cpu_model").get<std::string>(), machine.at("cores").get<int>(),
                 machine.at("kernel").get<std::string>(), machine.at("hostname").get<std::string>()};
    r.memory_mb = j.at("memory_mb").get<std::vector<int>>();
    for (const nlohmann::json& f : j.at("functions")) {
      r.functions.push_back({f.at("name").get<std::string>(), f.at("source").get<std::string>(),
                             f.at("bootstrap").get<std::string>(), f.at("arch").get<std::string>()});
    }
    r.arch = j.at("arch").get<std::string>();
    const nlohmann::json& prices = j.at("prices");
    r.prices.region = prices.at("region").get<std::string>();
    r.prices.date = prices.at("date").get<std::string>();
    r.prices.source = prices.at("source").get<std::string>();
    r.prices.x86_64_per_gb_second = prices.at("x86_64_per_gb_second").get<double>();
    r.prices.arm64_per_gb_second = prices.at("arm64_per_gb_second").get<double>();
    r.prices.per_request = prices.at("per_million_requests").get<double>() / 1e6;
    for (const nlohmann::json& s : j.at("skipped")) {
      r.skipped.push_back({s.at("function").get<std::string>(), s.at("reason").get<std::string>()});
    }
    for (const nlohmann::json& c : j.at("cells")) {
      CellResult cell;
      cell.function = c.at("function").get<std::string>();
      cell.memory_mb = c.at("memory_mb").get<int>();
      for (const nlohmann::json& s : c.at("samples")) {
        Sample sample;
        sample.kind = s.at("kind").get<std::string>();
        sample.workload = s.at("workload").get<std::string>();
        sample.warmup = s.at("warmup").get<bool>();
        sample.ok = s.at("ok").get<bool>();
        sample.error = s.at("error").get<std::string>();
        sample.client_ms = s.at("client_ms").get<double>();
        if (!s.at("duration_ms").is_null()) sample.duration_ms = s["duration_ms"].get<double>();
        if (!s.at("init_duration_ms").is_null()) sample.init_duration_ms = s["init_duration_ms"].get<double>();
        if (!s.at("max_memory_mb").is_null()) sample.max_memory_mb = s["max_memory_mb"].get<uint64_t>();
        cell.samples.push_back(std::move(sample));
      }
      r.cells.push_back(std::move(cell));
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("results.json: ") + e.what());
  }
}

}  // namespace zerostart::benchmark
