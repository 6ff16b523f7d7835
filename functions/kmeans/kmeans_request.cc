#include "functions/kmeans/kmeans_request.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace zerostart::functions {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kDefaultMemoryBytes = 128 * kMiB;  // Lambda's default memory size
// Left to the process: code, runtime, the request (up to 6 MiB) and the response buffers.
constexpr uint64_t kReserveBytes = 32 * kMiB;
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<uint64_t>::max() : r;
}
uint64_t SaturatingMul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<uint64_t>::max() : r;
}

// A top-level field of the request as the JSON had it.
struct Field {
  enum class Kind { kNull, kBool, kInteger, kUnsigned, kFloat, kString, kContainer };
  Kind kind = Kind::kNull;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double floating = 0.0;
  std::string text;
};

Field MakeField(Field::Kind kind) {
  Field field;
  field.kind = kind;
  return field;
}

// The fields kept from the top-level object ("points" is streamed separately).
bool IsScalarField(std::string_view key) {
  return key == "n" || key == "d" || key == "k" || key == "maxIterations" || key == "seed" ||
         key == "emptyClusterStrategy" || key == "mode";
}

// Reads the request in one pass (nlohmann SAX): scalar fields into `fields`, `points` rows
// straight into one flat array, anything else skipped. Depth counts the open containers: the
// top-level object is depth 1, the points array 2, a point 3.
class RequestReader final : public nlohmann::json_sax<Json> {
 public:
  // `max_coordinates`: an upper bound on the coordinates the payload can hold. The array is
  // reserved to it once (address space only: untouched pages cost no memory), so growing it
  // never holds the old and the new buffer at once (3x the data at the worst moment).
  RequestReader(uint64_t budget_bytes, size_t max_coordinates)
      : budget_bytes_(budget_bytes),
        reserve_(static_cast<size_t>(
            std::min<uint64_t>(max_coordinates, budget_bytes / sizeof(double) + 1))) {}

  bool null() override { return Scalar(Field{}); }
  bool boolean(bool) override { return Scalar(MakeField(Field::Kind::kBool)); }
  bool number_integer(number_integer_t v) override {
    if (InPoint()) return AddCoordinate(static_cast<double>(v));
    Field f = MakeField(Field::Kind::kInteger);
    f.integer = v;
    return Scalar(std::move(f));
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (InPoint()) return AddCoordinate(static_cast<double>(v));
    Field f = MakeField(Field::Kind::kUnsigned);
    f.unsigned_integer = v;
    return Scalar(std::move(f));
  }
  bool number_float(number_float_t v, const string_t&) override {
    if (InPoint()) return AddCoordinate(v);
    Field f = MakeField(Field::Kind::kFloat);
    f.floating = v;
    return Scalar(std::move(f));
  }
  bool string(string_t& v) override {
    Field f = MakeField(Field::Kind::kString);
    f.text = std::move(v);
    return Scalar(std::move(f));
  }
  bool binary(binary_t&) override { return Fail("binary values are not JSON"); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (in_points_) return Fail(PointsShapeMessage());
    if (depth_ == 1 && !CheckContainerField()) return false;
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = std::move(k);
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return Fail("the request must be a JSON object");
    if (in_points_) {
      if (depth_ != 2) return Fail(PointsShapeMessage());
      point_length_ = 0;
      depth_ = 3;
      return true;
    }
    if (depth_ == 1 && key_ == "points") {
      if (points_seen_) return Fail("\"points\" is given twice");
      points_seen_ = true;
      in_points_ = true;
      depth_ = 2;
      return true;
    }
    if (depth_ == 1 && !CheckContainerField()) return false;
    ++depth_;
    return true;
  }
  bool end_array() override {
    if (in_points_ && depth_ == 3) {
      if (point_count_ == 0) dims_ = point_length_;
      if (point_length_ == 0) return Fail("points[" + std::to_string(point_count_) + "] is empty");
      if (point_length_ != dims_) {
        return Fail("points are ragged: points[" + std::to_string(point_count_) + "] has " +
                    std::to_string(point_length_) + " coordinates, points[0] has " +
                    std::to_string(dims_));
      }
      ++point_count_;
    } else if (in_points_ && depth_ == 2) {
      in_points_ = false;
    }
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string& last_token,
                   const nlohmann::detail::exception& e) override {
    // A coordinate beyond the double range (1e400: nlohmann's out_of_range.406) or a NaN /
    // Infinity literal, which JSON does not have: say which coordinate and why it is refused.
    const bool literal = std::any_of(last_token.begin(), last_token.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) && c != 'e' && c != 'E';
    });
    if (in_points_ && (e.id == 406 || literal)) return Fail(NonFiniteMessage());
    return Fail(std::string("the request is not valid JSON: ") + e.what());
  }

  const Status& status() const { return status_; }
  const std::map<std::string, Field, std::less<>>& fields() const { return fields_; }
  bool points_seen() const { return points_seen_; }
  size_t point_count() const { return point_count_; }
  size_t dims() const { return dims_; }
  std::vector<double> TakeCoords() { return std::move(coords_); }

 private:
  bool InPoint() const { return in_points_ && depth_ == 3; }

  std::string PointsShapeMessage() const {
    return "points must be an array of points, each an array of numbers (points[" +
           std::to_string(point_count_) + "])";
  }

  std::string NonFiniteMessage() const {
    return "points[" + std::to_string(point_count_) + "][" + std::to_string(point_length_) +
           "] is not a finite number: NaN and infinite coordinates (and numbers beyond the "
           "double range) are refused, as Commons Math would return meaningless clusters";
  }

  bool Fail(std::string message, StatusCode code = StatusCode::kInvalidArgument) {
    if (status_.ok()) status_ = Status(code, std::move(message));
    return false;
  }

  bool Scalar(Field field) {
    if (depth_ == 0) return Fail("the request must be a JSON object");
    if (in_points_) {
      if (depth_ == 2) return Fail(PointsShapeMessage());
      return Fail("points[" + std::to_string(point_count_) + "][" + std::to_string(point_length_) +
                  "] must be a number");
    }
    if (depth_ == 1) {
      if (key_ == "points") return Fail("points must be an array of points");
      if (IsScalarField(key_)) fields_[key_] = std::move(field);
    }
    return true;
  }

  // A container where a scalar field is expected is a type error, reported when the field
  // is validated; unknown fields may hold anything.
  bool CheckContainerField() {
    if (key_ == "points") return Fail("points must be an array of points");
    if (IsScalarField(key_)) fields_[key_] = MakeField(Field::Kind::kContainer);
    return true;
  }

  bool AddCoordinate(double x) {
    if (!std::isfinite(x)) return Fail(NonFiniteMessage());
    if (SaturatingMul(coords_.size() + 1, sizeof(double)) > budget_bytes_) {
      return Fail("the points exceed the function's memory budget of " +
                      std::to_string(budget_bytes_ / kMiB) + " MiB",
                  StatusCode::kResourceExhausted);
    }
    if (coords_.capacity() == 0) coords_.reserve(reserve_);
    coords_.push_back(x);
    ++point_length_;
    return true;
  }

  const uint64_t budget_bytes_;
  const size_t reserve_;
  Status status_;
  int depth_ = 0;
  std::string key_;
  std::map<std::string, Field, std::less<>> fields_;
  bool points_seen_ = false;
  bool in_points_ = false;
  size_t point_count_ = 0;
  size_t point_length_ = 0;
  size_t dims_ = 0;
  std::vector<double> coords_;
};

// The integer in `fields[name]`, or `fallback` when absent. JSON integers and integral floats
// are accepted; the value must lie in [min, max].
Result<int64_t> IntegerField(const std::map<std::string, Field, std::less<>>& fields,
                             std::string_view name, int64_t fallback, int64_t min, int64_t max) {
  const auto it = fields.find(name);
  if (it == fields.end()) return fallback;
  const Field& f = it->second;
  const std::string range = std::string(name) + " must be an integer in [" + std::to_string(min) +
                            ", " + std::to_string(max) + "]";
  int64_t value = 0;
  switch (f.kind) {
    case Field::Kind::kInteger:
      value = f.integer;
      break;
    case Field::Kind::kUnsigned:
      if (f.unsigned_integer > static_cast<uint64_t>(max)) {
        return InvalidArgumentError(range + ", got " + std::to_string(f.unsigned_integer));
      }
      value = static_cast<int64_t>(f.unsigned_integer);
      break;
    case Field::Kind::kFloat:
      // 2^63 is the first double past int64; integral doubles below it convert exactly.
      if (!(std::trunc(f.floating) == f.floating && f.floating >= -0x1p63 && f.floating < 0x1p63)) {
        return InvalidArgumentError(range + ", got " + std::to_string(f.floating));
      }
      value = static_cast<int64_t>(f.floating);
      break;
    default:
      return InvalidArgumentError(std::string(name) + " must be an integer");
  }
  if (value < min || value > max) {
    return InvalidArgumentError(range + ", got " + std::to_string(value));
  }
  return value;
}

Result<kmeans::EmptyClusterStrategy> StrategyField(
    const std::map<std::string, Field, std::less<>>& fields) {
  const auto it = fields.find("emptyClusterStrategy");
  if (it == fields.end()) return kmeans::EmptyClusterStrategy::kLargestVariance;
  const char* const kExpected =
      "emptyClusterStrategy must be one of LARGEST_VARIANCE, LARGEST_POINTS_NUMBER, "
      "FARTHEST_POINT, ERROR";
  if (it->second.kind != Field::Kind::kString) return InvalidArgumentError(kExpected);
  const auto strategy = kmeans::ParseEmptyClusterStrategy(it->second.text);
  if (!strategy)
    return InvalidArgumentError(std::string(kExpected) + ", got \"" + it->second.text + "\"");
  return *strategy;
}

// "mode": absent (nullopt), "exact" or "fast".
Result<std::optional<kmeans::ClusteringMode>> ModeField(
    const std::map<std::string, Field, std::less<>>& fields) {
  const auto it = fields.find("mode");
  if (it == fields.end()) return std::optional<kmeans::ClusteringMode>();
  const char* const kExpected = "mode must be \"exact\" or \"fast\"";
  if (it->second.kind == Field::Kind::kString) {
    for (const auto mode : {kmeans::ClusteringMode::kExact, kmeans::ClusteringMode::kFast}) {
      if (kmeans::ClusteringModeName(mode) == it->second.text) return std::optional(mode);
    }
    return InvalidArgumentError(std::string(kExpected) + ", got \"" + it->second.text + "\"");
  }
  return InvalidArgumentError(kExpected);
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

uint64_t EstimateKmeansBytes(uint64_t n, uint64_t d, uint64_t k) {
  // Per point: its coordinates; seeding's min distance and taken flag (9 bytes); the
  // assignment (4); the Hamerly bounds (two floats, 8); two generations of cluster member
  // lists, with vector growth slack (16).
  const uint64_t per_point = SaturatingAdd(SaturatingMul(d, sizeof(double)), 9 + 4 + 8 + 16);
  // Per center coordinate: two generations of centers and the result (24), response text (26).
  const uint64_t per_center = SaturatingAdd(SaturatingMul(d, 24 + 26), 32);
  return SaturatingAdd(SaturatingAdd(SaturatingMul(n, per_point), SaturatingMul(k, per_center)),
                       64 * 1024);
}

uint64_t KmeansBudgetBytes(uint64_t memory_limit_bytes) {
  return memory_limit_bytes > kReserveBytes ? memory_limit_bytes - kReserveBytes : 0;
}

uint64_t MemoryLimitBytesFromEnv(std::optional<std::string_view> megabytes) {
  if (!megabytes) return kDefaultMemoryBytes;
  uint64_t value = 0;
  const char* begin = megabytes->data();
  const char* end = begin + megabytes->size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value == 0) return kDefaultMemoryBytes;
  return SaturatingMul(value, kMiB);
}

Result<KmeansRequest> ParseKmeansRequest(std::string_view payload, const KmeansLimits& limits) {
  const uint64_t budget = KmeansBudgetBytes(limits.memory_limit_bytes);
  // A coordinate takes at least two characters of the payload: a digit and a separator.
  RequestReader reader(budget, payload.size() / 2 + 1);
  if (!IsBlank(payload)) {
    const bool parsed = Json::sax_parse(payload.begin(), payload.end(), &reader);
    if (!parsed || !reader.status().ok()) {
      if (!reader.status().ok()) return reader.status();
      return InvalidArgumentError("the request is not valid JSON");
    }
  }
  const auto& fields = reader.fields();

  KmeansRequest request;
  ZS_ASSIGN_OR_RETURN(const int64_t k, IntegerField(fields, "k", request.k, 1, kInt32Max));
  ZS_ASSIGN_OR_RETURN(
      const int64_t max_iterations,
      IntegerField(fields, "maxIterations", request.max_iterations, kInt32Min, kInt32Max));
  ZS_ASSIGN_OR_RETURN(const int64_t seed, IntegerField(fields, "seed", request.seed,
                                                       std::numeric_limits<int64_t>::min(),
                                                       std::numeric_limits<int64_t>::max()));
  ZS_ASSIGN_OR_RETURN(request.empty_cluster_strategy, StrategyField(fields));
  ZS_ASSIGN_OR_RETURN(const std::optional<kmeans::ClusteringMode> mode, ModeField(fields));
  request.mode_given = mode.has_value();
  request.mode = mode.value_or(kmeans::ClusteringMode::kExact);
  ZS_ASSIGN_OR_RETURN(request.n, IntegerField(fields, "n", request.n, 0, kInt32Max));
  ZS_ASSIGN_OR_RETURN(request.d, IntegerField(fields, "d", request.d, 1, kInt32Max));
  request.k = static_cast<int32_t>(k);
  request.max_iterations = static_cast<int32_t>(max_iterations);
  // Java's (int) cast of a long: the low 32 bits, two's complement.
  request.seed = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(seed)));

  if (reader.points_seen()) {
    const auto given_n = static_cast<int64_t>(reader.point_count());
    const auto given_d = static_cast<int64_t>(reader.dims());
    if (given_n == 0) return InvalidArgumentError("points must hold at least one point");
    if (fields.contains("n") && request.n != given_n) {
      return InvalidArgumentError("n is " + std::to_string(request.n) + " but " +
                                  std::to_string(given_n) + " points are given");
    }
    if (fields.contains("d") && request.d != given_d) {
      return InvalidArgumentError("d is " + std::to_string(request.d) + " but the points have " +
                                  std::to_string(given_d) + " coordinates");
    }
    if (given_n > kInt32Max) return InvalidArgumentError("at most 2147483647 points");
    request.n = given_n;
    request.d = given_d;
  }
  if (request.n < request.k) {
    return InvalidArgumentError("n (" + std::to_string(request.n) + ") must be at least k (" +
                                std::to_string(request.k) + ")");
  }
  const uint64_t needed =
      EstimateKmeansBytes(static_cast<uint64_t>(request.n), static_cast<uint64_t>(request.d),
                          static_cast<uint64_t>(request.k));
  if (needed > budget) {
    return ResourceExhaustedError(
        "n=" + std::to_string(request.n) + ", d=" + std::to_string(request.d) + ", k=" +
        std::to_string(request.k) + " needs about " + std::to_string((needed + kMiB - 1) / kMiB) +
        " MiB; the budget is " + std::to_string(budget / kMiB) + " MiB of the function's " +
        std::to_string(limits.memory_limit_bytes / kMiB) + " MiB");
  }
  if (reader.points_seen()) {
    ZS_ASSIGN_OR_RETURN(kmeans::Points points,
                        kmeans::MakePoints(reader.dims(), reader.TakeCoords()));
    request.points = std::move(points);
  }
  return request;
}

}  // namespace zerostart::functions
