// File: src/package/sam_template.h
//
// Reading the functions of an AWS SAM template (template.yaml) — what `zerostart serve
// --template` runs: each resource of Type AWS::Serverless::Function, with the defaults of
// Globals.Function, reduced to the properties a local Lambda can honour. Property meanings follow
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
// and Globals' merging rules (a function's own value wins; Environment.Variables are merged)
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
//
// Intrinsic functions, short (!Ref) or long (Ref:, Fn::Sub:) form, are resolved where a value is
// used: Ref to a parameter's Default or to the pseudo parameters AWS::Region, AWS::AccountId,
// AWS::Partition and AWS::URLSuffix (as the emulator plays them); Fn::Sub over the same names,
// with its optional map of variables. Any other intrinsic (Fn::GetAtt, Fn::Join, Fn::If, a Ref to
// a resource, ...) in a value that is used is an error naming it and where it is.
//
// Thread safety: a pure function of the file.
#ifndef ZEROSTART_SRC_PACKAGE_SAM_TEMPLATE_H_
#define ZEROSTART_SRC_PACKAGE_SAM_TEMPLATE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::package {

// One AWS::Serverless::Function, with Globals.Function applied and intrinsics resolved.
struct SamFunction {
  std::string logical_id;
  // FunctionName when the template sets it, else the logical id (as `sam local` names it).
  std::string name;
  // CodeUri made a path: relative ones are joined to the template's folder. A folder or a zip.
  // For an image function (PackageType Image), its Metadata.DockerContext folder, which must
  // hold the bootstrap the image runs (the image itself is not built).
  std::string code_path;
  bool image = false;   // PackageType Image
  std::string handler;  // "" when not set
  std::string runtime;  // provided.al2023 or provided.al2 (others are refused); "" for an image
  std::optional<int> memory_mb;
  std::optional<double> timeout_seconds;
  std::map<std::string, std::string> environment;  // Environment.Variables
  std::string architecture = "x86_64";             // Architectures: [x86_64] or [arm64]
  bool function_url = false;                       // FunctionUrlConfig is present
  std::optional<int> reserved_concurrency;         // ReservedConcurrentExecutions
};

struct SamTemplate {
  std::vector<SamFunction> functions;  // in the template's order
  // Features of the template that a local Lambda does not emulate, each as where it is
  // ("Hello.Events", "Resources.Table (AWS::DynamoDB::Table)", "Conditions"), for one warning.
  std::vector<std::string> unsupported;
};

// Reads the template at `path`. `only` (a logical id or a FunctionName), when not empty, keeps
// that function alone: only its values are resolved. `parameters` replace the Default of the
// template's parameters of those names (as `sam deploy --parameter-overrides` does); a name the
// template does not declare is InvalidArgument. Errors, each starting with `path` and
// saying what to fix: NotFound (no such file; `only` names no function, listing those there
// are), InvalidArgument (not YAML, with the line; not a SAM template: no Resources or no
// AWS::Serverless::Function; a runtime other than provided.al2023/provided.al2; PackageType
// Image without Metadata.DockerContext; CodeUri missing or in S3; a value of the wrong kind; an unresolvable intrinsic, named
// with its place, e.g. "!GetAtt at Resources.Hello.Properties.Environment.Variables.TABLE (line
// 12) cannot be resolved locally").
Result<SamTemplate> LoadSamTemplate(const std::string& path, const std::string& only = "",
                                    const std::map<std::string, std::string>& parameters = {});

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_SAM_TEMPLATE_H_
