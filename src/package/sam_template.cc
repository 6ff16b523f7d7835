#include "src/package/sam_template.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "src/common/lambda_protocol.h"
#include "src/package/file_io.h"

namespace zerostart::package {
namespace {

// Larger templates are not SAM's (CloudFormation's template body limit is 1 MB).
constexpr uint64_t kMaxTemplateBytes = 16ull << 20;

constexpr char kFunctionType[] = "AWS::Serverless::Function";

// The properties of AWS::Serverless::Function that are honoured (or, Description, have no
// behaviour to emulate); any other is reported as unsupported.
const std::set<std::string>& KnownProperties() {
  static const std::set<std::string> known = {
      "CodeUri", "Handler", "Runtime", "MemorySize", "Timeout", "Environment", "Architectures",
      "FunctionUrlConfig", "ReservedConcurrentExecutions", "FunctionName", "Description", "PackageType"};
  return known;
}

// Template sections read here (Outputs, like Description, only describe a deployed stack: nothing
// to emulate); any other top-level key is reported as unsupported.
const std::set<std::string>& KnownSections() {
  static const std::set<std::string> known = {"AWSTemplateFormatVersion", "Transform", "Description",
                                              "Parameters", "Globals", "Resources", "Outputs"};
  return known;
}

// node[key] when `node` is a map that has `key`; otherwise an Undefined node. (yaml-cpp's
// operator[] on a missing key gives a node whose every query but IsDefined throws.)
YAML::Node Child(const YAML::Node& node, const std::string& key) {
  if (node.IsDefined() && node.IsMap()) {
    YAML::Node child = node[key];
    if (child.IsDefined()) return child;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string LineOf(const YAML::Node& node) { return " (line " + std::to_string(node.Mark().line + 1) + ")"; }

// An intrinsic function call: its long name ("Ref", "Fn::Sub") and its argument.
struct Intrinsic {
  std::string name;
  YAML::Node argument;
};

// The intrinsic `node` is, in short form (a "!Ref" tag) or long form (a map of one key "Ref"
// or "Fn::..."), if any.
std::optional<Intrinsic> AsIntrinsic(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag.size() > 1 && tag[0] == '!') {
    const std::string name = tag.substr(1);
    return Intrinsic{name == "Ref" ? name : "Fn::" + name, node};
  }
  if (node.IsMap() && node.size() == 1) {
    const std::string key = node.begin()->first.Scalar();
    if (key == "Ref" || key.starts_with("Fn::")) return Intrinsic{key, node.begin()->second};
  }
  return std::nullopt;
}

// "!Ref", "!Sub", "!GetAtt": how templates usually spell an intrinsic.
std::string ShortName(const std::string& name) {
  return name.starts_with("Fn::") ? "!" + name.substr(4) : "!" + name;
}

class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)) {}

  Result<SamTemplate> Load(const YAML::Node& root, const std::string& only,
                           const std::map<std::string, std::string>& overrides);

 private:
  Status Error(const YAML::Node& node, const std::string& where, const std::string& what) const {
    return InvalidArgumentError(path_ + ": " + what + " at " + where + LineOf(node));
  }
  // The value of `node` as text, intrinsics resolved.
  Result<std::string> Resolve(const YAML::Node& node, const std::string& where) const;
  // The value a name has in Ref or Sub: a parameter's Default, or a pseudo parameter.
  // `what` names the use in messages ("!Ref Stage").
  Result<std::string> Lookup(const std::string& name, const std::string& what, const YAML::Node& node,
                             const std::string& where) const;
  Result<std::string> Substitute(const std::string& text, const YAML::Node& variables, const YAML::Node& node,
                                 const std::string& where) const;
  Result<int> ResolveInt(const YAML::Node& node, const std::string& where) const;
  // `resource` is the whole resource (its Metadata says where an image function's code is).
  Result<SamFunction> ReadFunction(const std::string& id, const YAML::Node& resource, const YAML::Node& globals);
  // The path of `uri` (a CodeUri or DockerContext): relative ones joined to the template's folder.
  std::string CodePath(const std::string& uri) const;
  void Unsupported(std::string what) {
    if (std::find(unsupported_.begin(), unsupported_.end(), what) == unsupported_.end()) {
      unsupported_.push_back(std::move(what));
    }
  }

  std::string path_;
  std::map<std::string, std::optional<std::string>> parameters_;  // name -> Default
  std::set<std::string> resources_;                               // logical ids
  std::vector<std::string> unsupported_;
};

Result<std::string> Loader::Lookup(const std::string& name, const std::string& what, const YAML::Node& node,
                                   const std::string& where) const {
  // Pseudo parameters, as the emulator plays them (function_config.h: region, account id).
  if (name == "AWS::Region") return std::string(lambda::kDefaultRegion);
  if (name == "AWS::AccountId") return std::string(lambda::kEmulatorAccountId);
  if (name == "AWS::Partition") return std::string("aws");
  if (name == "AWS::URLSuffix") return std::string("amazonaws.com");
  if (auto parameter = parameters_.find(name); parameter != parameters_.end()) {
    if (parameter->second) return *parameter->second;
    return Error(node, where, what + " cannot be resolved: the parameter " + name + " has no Default (give it one)");
  }
  if (resources_.count(name)) {
    return Error(node, where, what + " cannot be resolved: " + name + " is a resource, which has no value locally (use a parameter)");
  }
  return Error(node, where, what + " cannot be resolved: " + name + " is neither a parameter nor a pseudo parameter zerostart knows");
}

Result<std::string> Loader::Substitute(const std::string& text, const YAML::Node& variables, const YAML::Node& node,
                                       const std::string& where) const {
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t open = text.find("${", at);
    if (open == std::string::npos) break;
    out += text.substr(at, open - at);
    const size_t close = text.find('}', open);
    if (close == std::string::npos) return Error(node, where, "!Sub has a '${' without its '}'");
    const std::string name = text.substr(open + 2, close - open - 2);
    if (name.starts_with("!")) {
      out += "${" + name.substr(1) + "}";  // ${!Literal} is the text ${Literal}
    } else if (YAML::Node variable = Child(variables, name); variable.IsDefined()) {
      ZS_ASSIGN_OR_RETURN(std::string value, Resolve(variable, where + ".${" + name + "}"));
      out += value;
    } else if (name.find('.') != std::string::npos) {
      return Error(node, where, "!Sub ${" + name + "} is an attribute of a resource (as !GetAtt), which cannot be resolved locally");
    } else {
      ZS_ASSIGN_OR_RETURN(std::string value, Lookup(name, "!Sub ${" + name + "}", node, where));
      out += value;
    }
    at = close + 1;
  }
  out += text.substr(at);
  return out;
}

Result<std::string> Loader::Resolve(const YAML::Node& node, const std::string& where) const {
  if (std::optional<Intrinsic> intrinsic = AsIntrinsic(node)) {
    const YAML::Node& argument = intrinsic->argument;
    if (intrinsic->name == "Ref") {
      if (!argument.IsScalar()) return Error(node, where, "!Ref takes a name");
      return Lookup(argument.Scalar(), "!Ref " + argument.Scalar(), node, where);
    }
    if (intrinsic->name == "Fn::Sub") {
      if (argument.IsScalar()) return Substitute(argument.Scalar(), YAML::Node(), node, where);
      if (argument.IsSequence() && argument.size() == 2 && argument[0].IsScalar() && argument[1].IsMap()) {
        return Substitute(argument[0].Scalar(), argument[1], node, where);
      }
      return Error(node, where, "!Sub takes a string, or a string and a map of variables");
    }
    return Error(node, where, ShortName(intrinsic->name) + " cannot be resolved locally (zerostart resolves !Ref and !Sub "
                                                           "of parameters' Default values and pseudo parameters)");
  }
  if (node.IsScalar()) return node.Scalar();
  return Error(node, where, "expected a single value");
}

Result<int> Loader::ResolveInt(const YAML::Node& node, const std::string& where) const {
  ZS_ASSIGN_OR_RETURN(std::string text, Resolve(node, where));
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Error(node, where, "'" + text + "' is not a whole number");
  }
  return value;
}

std::string Loader::CodePath(const std::string& uri) const {
  if (uri.starts_with("/")) return uri;
  const size_t slash = path_.rfind('/');
  return (slash == std::string::npos ? std::string(".") : path_.substr(0, slash)) + "/" + uri;
}

Result<SamFunction> Loader::ReadFunction(const std::string& id, const YAML::Node& resource,
                                         const YAML::Node& globals) {
  const YAML::Node properties = Child(resource, "Properties");
  SamFunction function;
  function.logical_id = id;
  function.name = id;
  // A property of the function, else of Globals.Function; `where` says which.
  auto get = [&](const std::string& key, std::string* where) -> YAML::Node {
    if (YAML::Node own = Child(properties, key); own.IsDefined()) {
      *where = "Resources." + id + ".Properties." + key;
      return own;
    }
    *where = "Globals.Function." + key;
    return Child(globals, key);
  };
  for (const YAML::Node& source : {globals, properties}) {
    if (!source.IsDefined() || !source.IsMap()) continue;
    for (const auto& entry : source) {
      const std::string key = entry.first.Scalar();
      if (!KnownProperties().count(key)) Unsupported(id + "." + key);
    }
  }
  std::string where;
  if (YAML::Node node = get("FunctionName", &where); node.IsDefined()) {
    ZS_ASSIGN_OR_RETURN(function.name, Resolve(node, where));
  }
  const YAML::Node package_type = get("PackageType", &where);
  const std::string package_type_where = where;
  if (package_type.IsDefined()) {
    ZS_ASSIGN_OR_RETURN(std::string type, Resolve(package_type, where));
    if (type != "Zip" && type != "Image") {
      return Error(package_type, where, "PackageType " + type + " is neither Zip nor Image");
    }
    function.image = type == "Image";
  }
  const YAML::Node metadata = Child(resource, "Metadata");
  if (function.image) {
    // `sam build` builds an image function from Metadata's DockerContext and Dockerfile
    // (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build.html,
    // "Building a container image"). When that folder holds the bootstrap the image runs (a
    // Java package from zerostart_add_java_function does), the folder is served as the task
    // root, with this host's programs: the image itself is not built or run.
    const std::string context_where = "Resources." + id + ".Metadata.DockerContext";
    const YAML::Node context = Child(metadata, "DockerContext");
    if (!context.IsDefined()) {
      return Error(package_type, package_type_where,
                   "PackageType Image is served only from its Metadata.DockerContext, a folder holding the "
                   "bootstrap (zerostart does not run container images); this function has no DockerContext");
    }
    ZS_ASSIGN_OR_RETURN(std::string context_uri, Resolve(context, context_where));
    function.code_path = CodePath(context_uri);
    Unsupported(id + ".PackageType Image (its DockerContext's bootstrap runs on this host; the image is not built)");
    for (const auto& entry : metadata) {
      const std::string key = entry.first.Scalar();
      if (key != "DockerContext" && key != "Dockerfile" && key != "DockerTag" && key != "DockerBuildArgs") {
        Unsupported(id + ".Metadata." + key);
      }
    }
  } else {
    if (metadata.IsDefined()) Unsupported(id + ".Metadata");
    YAML::Node runtime = get("Runtime", &where);
    if (!runtime.IsDefined()) {
      return InvalidArgumentError(path_ + ": function " + id + " has no Runtime (set Runtime: provided.al2023)");
    }
    ZS_ASSIGN_OR_RETURN(function.runtime, Resolve(runtime, where));
    if (function.runtime != "provided.al2023" && function.runtime != "provided.al2") {
      return Error(runtime, where, "Runtime " + function.runtime +
                                       " is not served: zerostart runs OS-only runtimes (provided.al2023, provided.al2), "
                                       "whose bootstrap is the function");
    }
    YAML::Node code = get("CodeUri", &where);
    if (!code.IsDefined()) {
      return InvalidArgumentError(path_ + ": function " + id + " has no CodeUri (a folder or a zip with its bootstrap)");
    }
    if (code.IsMap() && !AsIntrinsic(code)) return Error(code, where, "CodeUri in S3 is not served (give a folder or a zip)");
    ZS_ASSIGN_OR_RETURN(std::string code_uri, Resolve(code, where));
    if (code_uri.starts_with("s3://")) return Error(code, where, "CodeUri in S3 is not served (give a folder or a zip)");
    function.code_path = CodePath(code_uri);
  }
  if (YAML::Node node = get("Handler", &where); node.IsDefined()) {
    ZS_ASSIGN_OR_RETURN(function.handler, Resolve(node, where));
  }
  if (YAML::Node node = get("MemorySize", &where); node.IsDefined()) {
    ZS_ASSIGN_OR_RETURN(function.memory_mb, ResolveInt(node, where));
  }
  if (YAML::Node node = get("Timeout", &where); node.IsDefined()) {
    ZS_ASSIGN_OR_RETURN(int timeout, ResolveInt(node, where));
    function.timeout_seconds = timeout;
  }
  if (YAML::Node node = get("ReservedConcurrentExecutions", &where); node.IsDefined()) {
    ZS_ASSIGN_OR_RETURN(function.reserved_concurrency, ResolveInt(node, where));
  }
  // Environment.Variables: Globals' first, the function's over them (SAM merges maps).
  for (const auto& [source, prefix] : {std::pair{globals, std::string("Globals.Function")},
                                       std::pair{properties, "Resources." + id + ".Properties"}}) {
    const YAML::Node environment = Child(source, "Environment");
    if (!environment.IsDefined()) continue;
    if (!environment.IsMap()) return Error(environment, prefix + ".Environment", "expected a map with Variables");
    for (const auto& entry : environment) {
      const std::string key = entry.first.Scalar();
      if (key != "Variables") {
        Unsupported(id + ".Environment." + key);
        continue;
      }
      if (!entry.second.IsMap()) return Error(entry.second, prefix + ".Environment.Variables", "expected a map");
      for (const auto& variable : entry.second) {
        const std::string name = variable.first.Scalar();
        ZS_ASSIGN_OR_RETURN(function.environment[name],
                            Resolve(variable.second, prefix + ".Environment.Variables." + name));
      }
    }
  }
  if (YAML::Node node = get("Architectures", &where); node.IsDefined()) {
    if (!node.IsSequence() || node.size() != 1) return Error(node, where, "Architectures takes one of [x86_64] or [arm64]");
    ZS_ASSIGN_OR_RETURN(function.architecture, Resolve(node[0], where + "[0]"));
    if (function.architecture != "x86_64" && function.architecture != "arm64") {
      return Error(node, where, "Architectures " + function.architecture + " is not x86_64 or arm64");
    }
  }
  if (YAML::Node node = get("FunctionUrlConfig", &where); node.IsDefined()) {
    if (!node.IsMap()) return Error(node, where, "expected a map (AuthType, Cors, InvokeMode)");
    function.function_url = true;
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      // InvokeMode needs nothing: serve's function URL answers buffered or streamed, whichever
      // way the function responds.
      if (key == "InvokeMode") continue;
      if (key == "AuthType") {
        ZS_ASSIGN_OR_RETURN(std::string auth, Resolve(entry.second, where + ".AuthType"));
        if (auth != "NONE") Unsupported(id + ".FunctionUrlConfig.AuthType " + auth + " (requests are not checked)");
        continue;
      }
      Unsupported(id + ".FunctionUrlConfig." + key);
    }
  }
  return function;
}

Result<SamTemplate> Loader::Load(const YAML::Node& root, const std::string& only,
                                 const std::map<std::string, std::string>& overrides) {
  if (!root.IsDefined() || !root.IsMap() || !Child(root, "Resources").IsMap()) {
    return InvalidArgumentError(path_ + " is not a SAM template: it has no Resources map");
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (!KnownSections().count(key)) Unsupported(key);
  }
  if (const YAML::Node parameters = Child(root, "Parameters"); parameters.IsMap()) {
    for (const auto& entry : parameters) {
      const YAML::Node default_value = Child(entry.second, "Default");
      std::optional<std::string>& value = parameters_[entry.first.Scalar()];
      if (default_value.IsScalar()) {
        value = default_value.Scalar();
      } else if (default_value.IsSequence()) {  // a CommaDelimitedList given as a list
        std::string joined;
        for (const auto& item : default_value) joined += (joined.empty() ? "" : ",") + item.Scalar();
        value = joined;
      }
    }
  }
  for (const auto& [name, value] : overrides) {
    auto parameter = parameters_.find(name);
    if (parameter == parameters_.end()) {
      return InvalidArgumentError(path_ + " has no parameter " + name + " (Parameters declares those it takes)");
    }
    parameter->second = value;
  }
  YAML::Node globals;
  if (const YAML::Node all_globals = Child(root, "Globals"); all_globals.IsMap()) {
    for (const auto& entry : all_globals) {
      const std::string key = entry.first.Scalar();
      if (key == "Function") {
        globals = entry.second;
      } else {
        Unsupported("Globals." + key);
      }
    }
  }
  std::vector<std::pair<std::string, YAML::Node>> functions;  // logical id, resource
  std::string names;                                          // for "it has: ..."
  for (const auto& entry : Child(root, "Resources")) {
    const std::string id = entry.first.Scalar();
    resources_.insert(id);
    const YAML::Node& resource = entry.second;
    const YAML::Node type_node = Child(resource, "Type");
    const std::string type = type_node.IsScalar() ? type_node.Scalar() : "";
    if (type != kFunctionType) {
      Unsupported("Resources." + id + " (" + (type.empty() ? "no Type" : type) + ")");
      continue;
    }
    const YAML::Node properties = Child(resource, "Properties");
    std::string function_name;
    if (const YAML::Node name = Child(properties, "FunctionName"); name.IsScalar() && !AsIntrinsic(name)) {
      function_name = name.Scalar();
    }
    names += (names.empty() ? "" : ", ") + id;
    if (only.empty() || only == id || only == function_name) {
      for (const auto& attribute : resource) {
        const std::string key = attribute.first.Scalar();
        if (key != "Type" && key != "Properties" && key != "Metadata") Unsupported(id + "." + key);
      }
      functions.emplace_back(id, resource);
    }
  }
  if (names.empty()) return InvalidArgumentError(path_ + " has no resource of Type " + kFunctionType);
  if (functions.empty()) {
    return NotFoundError(path_ + " has no " + kFunctionType + " named '" + only + "' (it has: " + names + ")");
  }
  SamTemplate out;
  for (const auto& [id, resource] : functions) {
    ZS_ASSIGN_OR_RETURN(SamFunction function, ReadFunction(id, resource, globals));
    out.functions.push_back(std::move(function));
  }
  out.unsupported = std::move(unsupported_);
  return out;
}

}  // namespace

Result<SamTemplate> LoadSamTemplate(const std::string& path, const std::string& only,
                                    const std::map<std::string, std::string>& parameters) {
  ZS_ASSIGN_OR_RETURN(std::string text, ReadFileBytes(path, kMaxTemplateBytes));
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    return InvalidArgumentError(path + " is not YAML: line " + std::to_string(error.mark.line + 1) + ", column " +
                                std::to_string(error.mark.column + 1) + ": " + error.msg);
  }
  try {
    return Loader(path).Load(root, only, parameters);
  } catch (const YAML::Exception& error) {
    // A node of an unexpected kind where the loader did not check for it.
    return InvalidArgumentError(path + ": line " + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
}

}  // namespace zerostart::package
