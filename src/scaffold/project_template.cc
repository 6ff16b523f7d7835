#include "src/scaffold/project_template.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>
#include <utility>

#include "src/scaffold/embedded_templates.h"

namespace zerostart::scaffold {
namespace {

constexpr size_t kMaxNameLength = 64;  // AWS docs "CreateFunction": FunctionName, 1-64 characters
constexpr std::string_view kCommonKit = "common";  // every project: .gitignore, template.yaml
constexpr std::string_view kTemplateSuffix = ".in";
constexpr std::string_view kDotPrefix = "dot-";
// The architecture this zerostart is built for, in Lambda's spelling: a project built against
// its install makes binaries for it (cmake/zerostart_install.cmake's ZEROSTART_ARCH).
#if defined(__aarch64__)
constexpr std::string_view kArchitecture = "arm64";
#else
constexpr std::string_view kArchitecture = "x86_64";
#endif

// CMake's reserved target names (cmake-commands "add_executable": names CMake's generators use).
constexpr std::array<std::string_view, 12> kReservedTargets = {
    "all",        "clean", "help", "install", "package",   "package_source", "rebuild_cache",
    "edit_cache", "test",  "ALL_BUILD", "ZERO_CHECK", "RUN_TESTS"};

// Names that cannot be the project's C++ namespace: the keywords and alternative tokens of C++20
// ([lex.key], [lex.digraph]), and names the generated code itself uses at namespace scope.
constexpr std::array<std::string_view, 102> kCppReserved = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
    "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
    "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
    "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
    "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
    "main", "std", "zerostart", "testing", "posix", "final", "override", "import", "module", "errno"};

// What a function's language decides: its kit's files (CMakeLists.txt, README.md) and how
// template.yaml deploys it.
struct LanguageSpec {
  std::string name;         // template.yaml's Description
  std::string kit;          // templates/<kit>/, over the common kit ("" for none)
  std::string sam_summary;  // template.yaml's first comment, after "AWS SAM template for NAME: "
  std::string sam_code;     // the lines under Properties that say where the code is
  std::string sam_metadata; // lines after the function's Properties ("" for none)
  std::string memory_mb;
  std::string timeout_s;
  std::string built;        // BuiltFunction's, "@NAME@" standing for the name
};

// A C++ function is a static `bootstrap` in a zip, on the OS-only runtime.
const LanguageSpec& Cpp() {
  static const LanguageSpec kCpp = {
      "C++",
      "cpp",
      "one static `bootstrap` in the zip `cmake --build build` makes\n"
      "# (zerostart_package), on the OS-only runtime provided.al2023, with a Function URL.\n"
      "# `sam deploy --guided` deploys it; `zerostart serve --template template.yaml` runs it locally.",
      "      CodeUri: build/@NAME@.zip\n"
      "      Runtime: provided.al2023\n"
      "      Handler: bootstrap  # Lambda runs the zip's `bootstrap`",
      "",
      "128",
      "3",
      "build/@NAME@"};
  return kCpp;
}

// A Java function runs on a JVM, which Lambda's OS-only runtimes lack, and its bridge is built
// against Debian 12's glibc: it deploys as a container image (Dockerfile.in of
// zerostart_add_java_function: Debian 12, OpenJDK 17, the package folder).
const LanguageSpec& Java() {
  static const LanguageSpec kJava = {
      "Java",
      "",
      "a Java function run through zerostart's JNI bridge,\n"
      "# deployed as a container image (Lambda's OS-only runtimes have no JVM): `sam build` builds it\n"
      "# from build/package (its Dockerfile: Debian 12, OpenJDK 17 and the package), `sam deploy\n"
      "# --guided` deploys it. `zerostart serve --template template.yaml` runs build/package here, with\n"
      "# this machine's java, without building the image. A Function URL is included.",
      "      PackageType: Image  # built from Metadata's DockerContext",
      "\n    Metadata:  # what `sam build` builds the image from\n"
      "      Dockerfile: Dockerfile\n"
      "      DockerContext: build/package\n"
      "      DockerTag: latest",
      "512",
      "10",
      "build/package/bootstrap"};
  return kJava;
}

// What differs between the templates, beside their own files.
struct TemplateSpec {
  TemplateInfo info;
  const LanguageSpec& language;
  std::string libraries;    // the handler library's link libraries
  std::string payload;      // the README's `zerostart invoke --payload`
  std::string invoke_notes; // the README's text after that
  std::string url_extra;    // lines under FunctionUrlConfig in template.yaml
};

const std::vector<TemplateSpec>& Specs() {
  static const std::vector<TemplateSpec> kSpecs = {
      {{"hello", "A function that answers each event with a JSON greeting."},
       Cpp(),
       "zerostart::runtime",
       R"({"name":"world"})",
       "It answers `{\"message\":\"Hello from @NAME@\",\"eventBytes\":16}`.",
       ""},
      {{"http", "A function behind a Function URL (HTTP request in, HTTP response out)."},
       Cpp(),
       "zerostart::runtime zerostart::http_event",
       R"({"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST"}},"body":"world","isBase64Encoded":false})",
       "The event is a Function URL request (payload format 2.0) whose body is the name; the answer is "
       "`{\"statusCode\":200,...,\"body\":\"Hello, world!\"}`. Through the emulator's Function URL "
       "the same: `curl -d world http://127.0.0.1:9000/lambda-url/@NAME@/`.",
       ""},
      {{"stream", "A function that streams its response while it produces it."},
       Cpp(),
       "zerostart::runtime",
       "{}",
       "`zerostart invoke --stream` prints each tick as the function writes it "
       "(InvokeWithResponseStream); the Function URL streams too (InvokeMode RESPONSE_STREAM).",
       "\n        InvokeMode: RESPONSE_STREAM"},
      {{"java", "A Java function (JUnit-tested handler) run through zerostart's JNI bridge."},
       Java(),
       "",
       R"({"name":"world"})",
       "It answers `{\"message\":\"Hello from @NAME@\",\"eventBytes\":16}`.",
       ""},
  };
  return kSpecs;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// "my-fn_2" -> "MyFn2Function": a SAM logical ID is alphanumeric.
std::string LogicalId(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out + "Function";
}

// The project path of a template file: ".in" dropped, "dot-" made a leading dot.
std::string ProjectPath(std::string_view path) {
  if (path.ends_with(kTemplateSuffix)) path.remove_suffix(kTemplateSuffix.size());
  const size_t slash = path.rfind('/');
  const size_t base = slash == std::string_view::npos ? 0 : slash + 1;
  std::string out(path);
  if (path.substr(base).starts_with(kDotPrefix)) out.replace(base, kDotPrefix.size(), ".");
  return out;
}

}  // namespace

const std::vector<TemplateInfo>& Templates() {
  static const std::vector<TemplateInfo> kInfos = [] {
    std::vector<TemplateInfo> out;
    for (const TemplateSpec& spec : Specs()) out.push_back(spec.info);
    return out;
  }();
  return kInfos;
}

std::string BuiltFunction(const std::string& template_name, const std::string& name) {
  for (const TemplateSpec& spec : Specs()) {
    if (spec.info.name == template_name) return Replace(spec.language.built, "@NAME@", name);
  }
  return "";
}

Status ValidateFunctionName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return InvalidArgumentError("the name must have 1 to 64 characters, not " + std::to_string(name.size()));
  }
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) {
    return InvalidArgumentError("the name '" + name + "' must start with a letter");
  }
  const auto bad = std::find_if(name.begin(), name.end(), [](char c) {
    return !std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_';
  });
  if (bad != name.end()) {
    const unsigned char c = static_cast<unsigned char>(*bad);
    return InvalidArgumentError("the name '" + name + "' may hold only ASCII letters, digits, '-' and '_' (Lambda's rule), not " +
                                (c >= 0x80 ? std::string("a non-ASCII character") : "'" + std::string(1, *bad) + "'"));
  }
  if (std::find(kReservedTargets.begin(), kReservedTargets.end(), name) != kReservedTargets.end()) {
    return InvalidArgumentError("'" + name + "' is a target name CMake reserves; choose another name");
  }
  const std::string ident = Replace(name, "-", "_");
  if (std::find(kCppReserved.begin(), kCppReserved.end(), ident) != kCppReserved.end()) {
    return InvalidArgumentError("'" + name + "' cannot name the project's C++ namespace (a C++ keyword or a name "
                                "the code uses); choose another name");
  }
  return OkStatus();
}

Result<std::vector<ProjectFile>> RenderProject(const std::string& template_name, const std::string& name) {
  ZS_RETURN_IF_ERROR(ValidateFunctionName(name));
  const auto spec = std::find_if(Specs().begin(), Specs().end(),
                                 [&](const TemplateSpec& s) { return s.info.name == template_name; });
  if (spec == Specs().end()) {
    std::string known;
    for (const TemplateSpec& s : Specs()) known += (known.empty() ? "" : ", ") + s.info.name;
    return InvalidArgumentError("no template '" + template_name + "'; the templates are " + known);
  }
  std::map<std::string, std::string_view> chosen;  // project path -> template text
  // The common kit, then the language's, then the template's own: a later kit's file replaces
  // an earlier one of the same path.
  for (std::string_view kit : {kCommonKit, std::string_view(spec->language.kit), std::string_view(spec->info.name)}) {
    if (kit.empty()) continue;
    for (const EmbeddedFile& file : EmbeddedTemplateFiles()) {
      if (file.kit == kit) chosen[ProjectPath(file.path)] = file.text;
    }
  }
  const std::string ident = Replace(name, "-", "_");
  std::string image = name;  // Docker image and ECR repository names are lowercase
  std::transform(image.begin(), image.end(), image.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string guard = ident;
  std::transform(guard.begin(), guard.end(), guard.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  // Longer texts first: they may hold @NAME@ themselves.
  const LanguageSpec& language = spec->language;
  const std::vector<std::pair<std::string_view, std::string>> values = {
      {"@SAM_SUMMARY@", language.sam_summary}, {"@SAM_CODE@", language.sam_code},
      {"@SAM_METADATA@", language.sam_metadata}, {"@LANGUAGE@", language.name},
      {"@MEMORY@", language.memory_mb},       {"@TIMEOUT@", language.timeout_s},
      {"@INVOKE_NOTES@", spec->invoke_notes}, {"@DESCRIPTION@", spec->info.description},
      {"@LIBRARIES@", spec->libraries},      {"@PAYLOAD@", spec->payload},
      {"@URL_EXTRA@", spec->url_extra},      {"@LOGICAL@", LogicalId(name)},
      {"@GUARD@", guard},                    {"@IDENT@", ident},
      {"@DOCKER_ARCH@", kArchitecture == "arm64" ? "arm64" : "amd64"}, {"@IMAGE_NAME@", image},
      {"@ARCH@", std::string(kArchitecture)}, {"@NAME@", name},
  };
  std::vector<ProjectFile> out;
  for (const auto& [path, text] : chosen) {
    std::string rendered(text);
    for (const auto& [placeholder, value] : values) rendered = Replace(std::move(rendered), placeholder, value);
    out.push_back({path, std::move(rendered)});
  }
  return out;
}

}  // namespace zerostart::scaffold
