#include "src/benchmark/config.h"

#include <nlohmann/json.hpp>

namespace zerostart::benchmark {
namespace {

using nlohmann::json;

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

Status Bad(const std::string& where, const std::string& what) {
  return InvalidArgumentError("config: " + where + ": " + what);
}

// A whole number >= `min` at `doc[field]`, if present.
Status ReadCount(const json& doc, const char* field, int min, const std::string& where, int* out) {
  if (!doc.contains(field)) return OkStatus();
  const json& v = doc[field];
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > 1'000'000) {
    return Bad(where, std::string("\"") + field + "\" must be a whole number of " + std::to_string(min) + " or more");
  }
  *out = static_cast<int>(v.get<int64_t>());
  return OkStatus();
}

Status ReadPositive(const json& doc, const char* field, const std::string& where, double* out) {
  if (!doc.contains(field)) return OkStatus();
  if (!doc[field].is_number() || !(doc[field].get<double>() > 0)) {
    return Bad(where, std::string("\"") + field + "\" must be a positive number");
  }
  *out = doc[field].get<double>();
  return OkStatus();
}

Status ReadString(const json& doc, const char* field, const std::string& where, std::string* out) {
  if (!doc.contains(field)) return OkStatus();
  if (!doc[field].is_string()) return Bad(where, std::string("\"") + field + "\" must be a string");
  *out = doc[field].get<std::string>();
  return OkStatus();
}

// A misspelt field would otherwise be a silent default: every object's fields are checked.
Status CheckFields(const json& doc, const std::vector<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : doc.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) return Bad(where, "unknown field \"" + key + "\"");
  }
  return OkStatus();
}

Result<PayloadSpec> ReadPayload(const json& doc, const std::string& where, const std::string& base_dir,
                                const std::function<Result<std::string>(const std::string&)>& read_file) {
  if (!doc.is_object()) return Bad(where, "a payload is an object with \"payload\" or \"file\"");
  if (doc.contains("payload") == doc.contains("file")) return Bad(where, "give exactly one of \"payload\" and \"file\"");
  ZS_RETURN_IF_ERROR(CheckFields(doc, {"payload", "file", "label", "warm", "warmups", "min_warm", "estimated_ms", "quick"},
                                 where));
  PayloadSpec spec;
  if (doc.contains("payload")) {
    // A string is the event's JSON text; any other value is the event itself.
    spec.payload = doc["payload"].is_string() ? doc["payload"].get<std::string>() : doc["payload"].dump();
    // (json objects keep their keys sorted: {"n":1000,"d":2} is sent as {"d":2,"n":1000}, the same event.)
  } else {
    std::string file;
    ZS_RETURN_IF_ERROR(ReadString(doc, "file", where, &file));
    Result<PayloadSpec> from_file = ParsePayloadArgument("@" + Resolve(base_dir, file), read_file);
    if (!from_file.ok()) return Bad(where, from_file.status().message());
    spec = std::move(from_file).value();
  }
  ZS_RETURN_IF_ERROR(ReadString(doc, "label", where, &spec.label));
  ZS_RETURN_IF_ERROR(ReadCount(doc, "warm", 1, where, &spec.warm));
  ZS_RETURN_IF_ERROR(ReadCount(doc, "warmups", 0, where, &spec.warmups));
  ZS_RETURN_IF_ERROR(ReadCount(doc, "min_warm", 1, where, &spec.min_warm));
  ZS_RETURN_IF_ERROR(ReadPositive(doc, "estimated_ms", where, &spec.estimated_ms));
  if (doc.contains("quick")) {
    if (!doc["quick"].is_boolean()) return Bad(where, "\"quick\" must be true or false");
    spec.quick = doc["quick"].get<bool>();
  }
  if (!json::accept(spec.payload)) return Bad(where, "the payload is not JSON");
  return spec;
}

Result<std::vector<PayloadSpec>> ReadPayloads(const json& doc, const std::string& where, const std::string& base_dir,
                                              const std::function<Result<std::string>(const std::string&)>& read_file) {
  std::vector<PayloadSpec> out;
  if (!doc.contains("payloads")) return out;
  if (!doc["payloads"].is_array()) return Bad(where, "\"payloads\" must be a list");
  for (size_t i = 0; i < doc["payloads"].size(); ++i) {
    ZS_ASSIGN_OR_RETURN(PayloadSpec spec, ReadPayload(doc["payloads"][i], where + "payloads[" + std::to_string(i) + "]",
                                                      base_dir, read_file));
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace

Result<BenchConfig> ParseConfig(const std::string& json_text, const std::string& base_dir,
                                const std::function<Result<std::string>(const std::string&)>& read_file) {
  const json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("config: not a JSON object");
  ZS_RETURN_IF_ERROR(
      CheckFields(doc, {"memory", "cold", "warm", "warmups", "timeout", "arch", "payloads", "functions"}, "top level"));
  BenchConfig config;
  if (doc.contains("memory")) {
    if (!doc["memory"].is_array()) return Bad("memory", "must be a list of MB");
    std::string list;
    for (const json& mb : doc["memory"]) {
      if (!mb.is_number_integer()) return Bad("memory", "must be a list of whole numbers of MB");
      // Checked as the command line's --memory is (range, duplicates), before any narrowing.
      list += (list.empty() ? "" : ",") + mb.dump();
    }
    Result<std::vector<int>> memory = ParseMemoryList(list);
    if (!memory.ok()) return Bad("memory", memory.status().message());
    config.plan.memory_mb = std::move(memory).value();
  }
  ZS_RETURN_IF_ERROR(ReadCount(doc, "cold", 0, "top level", &config.plan.config_counts.cold));
  ZS_RETURN_IF_ERROR(ReadCount(doc, "warm", 1, "top level", &config.plan.config_counts.warm));
  ZS_RETURN_IF_ERROR(ReadCount(doc, "warmups", 0, "top level", &config.plan.config_counts.warmups));
  ZS_RETURN_IF_ERROR(ReadPositive(doc, "timeout", "top level", &config.plan.timeout_seconds));
  if (doc.contains("arch")) {
    std::string arch;
    ZS_RETURN_IF_ERROR(ReadString(doc, "arch", "top level", &arch));
    config.arch = arch;
  }
  ZS_ASSIGN_OR_RETURN(config.plan.payloads, ReadPayloads(doc, "", base_dir, read_file));
  if (!doc.contains("functions") || !doc["functions"].is_array() || doc["functions"].empty()) {
    return Bad("functions", "a non-empty list of {\"name\", \"path\"} is required");
  }
  for (size_t i = 0; i < doc["functions"].size(); ++i) {
    const json& f = doc["functions"][i];
    const std::string where = "functions[" + std::to_string(i) + "]";
    if (!f.is_object() || !f.contains("path")) return Bad(where, "needs a \"path\"");
    ZS_RETURN_IF_ERROR(
        CheckFields(f, {"name", "path", "optional", "cold_payload", "estimated_cold_ms", "payloads"}, where));
    FunctionSpec spec;
    ZS_RETURN_IF_ERROR(ReadString(f, "path", where, &spec.bootstrap));
    spec.bootstrap = Resolve(base_dir, spec.bootstrap);
    ZS_RETURN_IF_ERROR(ReadString(f, "name", where, &spec.name));
    if (spec.name.empty()) spec.name = DefaultFunctionName(spec.bootstrap);
    ZS_RETURN_IF_ERROR(ReadPositive(f, "estimated_cold_ms", where, &spec.estimated_cold_ms));
    if (f.contains("cold_payload")) {
      spec.cold_payload = f["cold_payload"].is_string() ? f["cold_payload"].get<std::string>() : f["cold_payload"].dump();
    }
    ZS_ASSIGN_OR_RETURN(spec.payloads, ReadPayloads(f, where + ".", base_dir, read_file));
    bool optional = false;
    if (f.contains("optional")) {
      if (!f["optional"].is_boolean()) return Bad(where, "\"optional\" must be true or false");
      optional = f["optional"].get<bool>();
    }
    config.plan.functions.push_back(std::move(spec));
    config.optional.push_back(optional);
  }
  return config;
}

}  // namespace zerostart::benchmark
