// Property test of the Gob codec against Go's own encoding/gob: random values of every supported
// kind, both ways.
//   Go -> C++: tests/go/cmd/gob_property `gen` writes a seeded random stream and the canonical
//              JSON of each value; gob::Decoder must decode the stream to the same canonical form
//              (fed in random splits), and gob::Encoder must re-encode it so Go reads it back.
//   C++ -> Go: random Values of the same Go types (the program's `schema`) are encoded with
//              gob::Encoder; `check` decodes them with gob.Decoder and prints their canonical JSON.
// The canonical form is described in the Go program's header. Seeds are fixed: runs are
// deterministic.
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "src/common/testing/test_config.h"
#include "src/gob/decoder.h"
#include "src/gob/encoder.h"
#include "src/gob/test_util.h"
#include "src/gob/value.h"

namespace zerostart::gob {
namespace {

using nlohmann::json;

const std::string kProgram = zerostart::testing::TestConfig("go_bin_dir") + "/gob_property";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::vector<json> ReadJsonLines(const std::string& path) {
  std::vector<json> lines;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// A scratch directory per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "gob_interop.XXXXXX";
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~ScratchDir() {
    if (!path_.empty()) std::system(("rm -rf '" + path_ + "'").c_str());
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  bool ok() const { return !path_.empty(); }

 private:
  std::string path_;
};

// Runs the Go program with arguments, stdin and stdout redirected to files; its exit status.
int RunGo(const std::string& args, const std::string& in, const std::string& out) {
  std::string command = "'" + kProgram + "' " + args + (in.empty() ? "" : " < '" + in + "'") + " > '" + out + "'";
  return std::system(command.c_str());
}

// ---- canonical form (see tests/go/cmd/gob_property/main.go) ----


std::string HexFloat(double value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(std::bit_cast<uint64_t>(value)));
  return buffer;
}

// `as_sent`: drop struct fields the encoder omits (what the peer will see) rather than only
// absent ones (what was received).
json Canon(const Value& value, bool as_sent) {
  if (value.absent()) return nullptr;
  switch (value.kind()) {
    case Kind::kBool:
      return value.AsBool();
    case Kind::kInt:
      return "i" + std::to_string(value.AsInt());
    case Kind::kUint:
      return "u" + std::to_string(value.AsUint());
    case Kind::kFloat:
      return "f" + HexFloat(value.AsFloat());
    case Kind::kComplex:
      return "c" + HexFloat(value.AsComplex().real()) + ":" + HexFloat(value.AsComplex().imag());
    case Kind::kString:
      return "s" + gob::testing::Hex(value.AsBytes());
    case Kind::kBytes:
      return "b" + gob::testing::Hex(value.AsBytes());
    case Kind::kInterface:
      return "interface";
    case Kind::kArray:
    case Kind::kSlice: {
      json out = json::array();
      for (const Value& e : value.elements()) out.push_back(Canon(e, as_sent));
      return out;
    }
    case Kind::kMap: {
      json out = json::object();
      const std::vector<Value>& flat = value.elements();
      for (size_t i = 0; i + 1 < flat.size(); i += 2) out[Canon(flat[i], as_sent).dump()] = Canon(flat[i + 1], as_sent);
      return out;
    }
    case Kind::kStruct: {
      json out = json::object();
      for (size_t i = 0; i < value.elements().size(); ++i) {
        const Value& field = value.elements()[i];
        if (field.absent() || (as_sent && field.IsOmittable())) continue;
        out[value.type()->fields[i].name] = Canon(field, as_sent);
      }
      return out;
    }
  }
  return "unknown";
}

// ---- Go types, from the program's schema ----

struct GoType {
  std::string kind;  // bool int uint float complex string bytes ptr slice array map struct
  int bits = 0;
  uint64_t length = 0;
  std::shared_ptr<GoType> elem, key;
  std::vector<std::pair<std::string, std::shared_ptr<GoType>>> fields;
  TypePtr gob;  // for ptr: the pointee's (gob pointers are transparent)
};
using GoTypePtr = std::shared_ptr<GoType>;

class Schema {
 public:
  // One GoType (and one gob TypePtr, as Encoder identifies types by pointer) per Go type.
  GoTypePtr Build(const json& s) {
    std::string key = s.at("key");
    if (auto it = types_.find(key); it != types_.end()) return it->second;
    auto t = std::make_shared<GoType>();
    t->kind = s.at("kind");
    t->bits = s.value("bits", 0);
    std::string name = s.value("name", "");
    if (t->kind == "bool") t->gob = BoolType();
    if (t->kind == "int") t->gob = IntType();
    if (t->kind == "uint") t->gob = UintType();
    if (t->kind == "float") t->gob = FloatType();
    if (t->kind == "complex") t->gob = ComplexType();
    if (t->kind == "string") t->gob = StringType();
    if (t->kind == "bytes") t->gob = BytesType();
    if (s.contains("elem")) t->elem = Build(s["elem"]);
    if (s.contains("keytype")) t->key = Build(s["keytype"]);
    if (t->kind == "ptr") t->gob = t->elem->gob;
    if (t->kind == "slice") t->gob = SliceType(name, t->elem->gob);
    if (t->kind == "array") {
      t->length = s.at("len");
      t->gob = ArrayType(name, t->elem->gob, t->length);
    }
    if (t->kind == "map") t->gob = MapType(name, t->key->gob, t->elem->gob);
    if (t->kind == "struct") {
      std::vector<Field> fields;
      for (const json& f : s.at("fields")) {
        t->fields.emplace_back(f.at("name"), Build(f.at("type")));
        fields.push_back(Field{f.at("name"), t->fields.back().second->gob});
      }
      t->gob = StructType(name, std::move(fields));
    }
    types_[key] = t;
    return t;
  }

 private:
  std::map<std::string, GoTypePtr> types_;
};

// ---- random Values of a Go type ----

class RandomValues {
 public:
  explicit RandomValues(uint64_t seed) : rng_(seed) {}

  uint64_t Below(uint64_t n) { return rng_() % n; }

  // Pointers may be nil (absent) only as struct fields: gob refuses nil elements.
  Value Make(const GoType& t, int depth, bool allow_nil) {
    if (t.kind == "ptr") return allow_nil && Below(3) == 0 ? Value() : Make(*t.elem, depth + 1, false);
    if (t.kind == "bool") return Value::Bool(Below(2) == 0);
    if (t.kind == "int") return Value::Int(RandomInt(t.bits));
    if (t.kind == "uint") return Value::Uint(RandomUint(t.bits));
    if (t.kind == "float") return Value::Float(RandomFloat(t.bits));
    if (t.kind == "complex") return Value::Complex({RandomFloat(t.bits / 2), RandomFloat(t.bits / 2)});
    if (t.kind == "string") return Value::String(RandomString());
    if (t.kind == "bytes") return Value::Bytes(RandomString());
    if (t.kind == "slice" || t.kind == "array") {
      size_t n = t.kind == "array" ? t.length : Below(depth > 3 ? 2 : 5);
      std::vector<Value> elements;
      for (size_t i = 0; i < n; ++i) elements.push_back(Make(*t.elem, depth + 1, false));
      return Value::List(t.gob, std::move(elements));
    }
    if (t.kind == "map") {
      std::vector<Value> flat;
      std::map<std::string, bool> keys;  // no duplicate keys: Go's map would collapse them
      for (size_t i = 0, n = Below(5); i < n; ++i) {
        Value key = Make(*t.key, depth + 1, false);
        if (!keys.emplace(Canon(key, true).dump(), true).second) continue;
        flat.push_back(std::move(key));
        flat.push_back(Make(*t.elem, depth + 1, false));
      }
      return Value::Map(t.gob, std::move(flat));
    }
    // struct: some fields left absent or zero (omitted on the wire); a non-pointer struct or
    // array field always present, as Go always sends those.
    Value value = Value::Struct(t.gob);
    for (size_t i = 0; i < t.fields.size(); ++i) {
      const GoType& field = *t.fields[i].second;
      bool always = field.kind == "struct" || field.kind == "array";
      if (t.fields[i].first == "Zero" || (!always && Below(5) == 0)) continue;
      value.mutable_elements()[i] = Make(field, depth + 1, true);
    }
    return value;
  }

 private:
  int64_t RandomInt(int bits) {
    int64_t min = bits == 64 ? INT64_MIN : -(int64_t{1} << (bits - 1));
    int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
    switch (Below(6)) {
      case 0:
        return 0;
      case 1:
        return min;
      case 2:
        return max;
      case 3:
        return static_cast<int64_t>(Below(256)) - 128;
      default:
        return static_cast<int64_t>(rng_()) >> (64 - bits);
    }
  }
  uint64_t RandomUint(int bits) {
    uint64_t max = ~uint64_t{0} >> (64 - bits);
    switch (Below(5)) {
      case 0:
        return 0;
      case 1:
        return max;
      case 2:
        return Below(300) & max;
      default:
        return rng_() >> (64 - bits);
    }
  }
  double RandomFloat(int bits) {
    std::vector<double> specials = {0.0, -0.0, 1.0, -2.5, HUGE_VAL, -HUGE_VAL, 1.401298464324817e-45, 3.4028234663852886e38};
    if (bits == 64) {
      specials.insert(specials.end(), {std::bit_cast<double>(uint64_t{0x7ff8000000000001}),
                                       std::bit_cast<double>(uint64_t{0xfff0000000000abc}), 5e-324, 1.7976931348623157e308});
    }
    if (Below(3) == 0) return specials[Below(specials.size())];
    if (bits == 32) {
      float f = std::bit_cast<float>(static_cast<uint32_t>(rng_()));
      return f != f ? 1.5 : static_cast<double>(f);  // float32 NaN payloads: see the Go side
    }
    return std::bit_cast<double>(rng_());
  }
  std::string RandomString() {
    static const char* kStrings[] = {"", "a", "h\xc3\xa9llo", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "nul\0byte", "\xff\xfe raw"};
    if (Below(2) == 0) {
      size_t i = Below(std::size(kStrings));
      return i == 4 ? std::string("nul\0byte", 8) : kStrings[i];
    }
    std::string out;
    for (size_t i = 0, n = Below(24); i < n; ++i) out.push_back(static_cast<char>(Below(256)));
    return out;
  }

  std::mt19937_64 rng_;
};

// ---- the tests ----

constexpr int kValuesPerSeed = 100;

TEST(GobInteropTest, GoStreamsDecodeToGosValuesAndReencodeForGo) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  size_t total = 0;
  for (int seed : {1, 2, 3, 4}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(RunGo("gen " + std::to_string(seed) + " " + std::to_string(kValuesPerSeed) + " '" + dir / "desc" + "'",
                    "", dir / "stream"),
              0);
    std::string stream = ReadFile(dir / "stream");
    std::vector<json> expected = ReadJsonLines(dir / "desc");
    ASSERT_EQ(expected.size(), size_t{kValuesPerSeed});

    // Decode in random splits (one byte at a time for seed 1).
    Decoder decoder;
    std::mt19937 split(static_cast<unsigned>(seed));
    std::vector<Value> values;
    for (size_t pos = 0; pos < stream.size();) {
      size_t n = seed == 1 ? 1 : 1 + split() % 64;
      decoder.Append(std::string_view(stream).substr(pos, n));
      pos += n;
      for (;;) {
        Result<std::optional<Value>> next = decoder.Next();
        ASSERT_TRUE(next.ok()) << next.status().ToString() << " after value " << values.size();
        if (!next->has_value()) break;
        values.push_back(std::move(**next));
      }
    }
    EXPECT_EQ(decoder.buffered(), 0u);
    ASSERT_EQ(values.size(), expected.size());
    std::string reencoded, types;
    Encoder encoder;
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(Canon(values[i], false), expected[i]["value"]) << "value " << i << " of type " << expected[i]["type"];
      Status status = encoder.Encode(values[i], &reencoded);
      ASSERT_TRUE(status.ok()) << status.ToString();
      types += expected[i]["type"].get<std::string>() + "\n";
    }
    total += values.size();
    // Go numbers types from the same first id in the same first-use order and Decoder keeps
    // the names it received, so the bytes are Go's own.
    EXPECT_TRUE(reencoded == stream) << "re-encoded stream differs from Go's (" << reencoded.size() << " vs "
                                     << stream.size() << " bytes)";

    // Round trip: what we decoded, encoded again, reads back in Go as the original values.
    WriteFile(dir / "reencoded", reencoded);
    WriteFile(dir / "types", types);
    ASSERT_EQ(RunGo("check '" + dir / "types" + "'", dir / "reencoded", dir / "checked"), 0);
    std::vector<json> checked = ReadJsonLines(dir / "checked");
    ASSERT_EQ(checked.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(checked[i], Canon(values[i], true)) << "value " << i << " of type " << expected[i]["type"];
    }
  }
  EXPECT_EQ(total, 4u * kValuesPerSeed);
}

TEST(GobInteropTest, RandomValuesEncodedHereDecodeInGo) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_EQ(RunGo("schema", "", dir / "schema"), 0);
  std::vector<json> schema_lines = ReadJsonLines(dir / "schema");
  ASSERT_EQ(schema_lines.size(), 1u);
  Schema schema;
  std::vector<std::pair<std::string, GoTypePtr>> universe;
  for (const json& entry : schema_lines[0]) universe.emplace_back(entry.at("name"), schema.Build(entry.at("type")));
  ASSERT_GE(universe.size(), 20u);

  for (uint64_t seed : {11, 12, 13, 14}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomValues random(seed);
    Encoder encoder;
    std::string stream, types;
    std::vector<json> expected;
    std::map<std::string, int> kinds_seen;
    for (int i = 0; i < kValuesPerSeed; ++i) {
      const auto& [name, type] = universe[random.Below(universe.size())];
      Value value = random.Make(*type, 0, false);
      Status status = encoder.Encode(value, &stream);
      ASSERT_TRUE(status.ok()) << status.ToString() << " for a " << name;
      types += name + "\n";
      expected.push_back(Canon(value, true));
      ++kinds_seen[name];
    }
    EXPECT_GE(kinds_seen.size(), 15u);
    WriteFile(dir / "stream", stream);
    WriteFile(dir / "types", types);
    ASSERT_EQ(RunGo("check '" + dir / "types" + "'", dir / "stream", dir / "checked"), 0)
        << "Go's gob.Decoder refused our stream; see its stderr above";
    std::vector<json> checked = ReadJsonLines(dir / "checked");
    ASSERT_EQ(checked.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(checked[i], expected[i]) << "value " << i;
    }
  }
}

}  // namespace
}  // namespace zerostart::gob
